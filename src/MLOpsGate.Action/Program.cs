using System.Collections;
using MLOpsGate.Action;
using MLOpsGate.Action.Workflow;

var environment = Environment.GetEnvironmentVariables()
    .Cast<DictionaryEntry>()
    .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? string.Empty, StringComparer.Ordinal);
try
{
    return await ActionRunner.RunAsync(environment, Console.Out, new ActionServices());
}
catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
{
    // A report or file-command file that cannot be written: the step fails as "could not run", without a stack trace.
    Console.Out.WriteLine(WorkflowCommands.Error($"the Action could not write its files: {exception.Message}"));
    return ExitCodes.CannotRun;
}
