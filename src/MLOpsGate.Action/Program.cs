using System.Collections;
using MLOpsGate.Action;

var environment = Environment.GetEnvironmentVariables()
    .Cast<DictionaryEntry>()
    .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? string.Empty, StringComparer.Ordinal);
return await ActionRunner.RunAsync(environment, Console.Out, new ActionServices());
