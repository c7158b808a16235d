using System.CommandLine;
using MLOpsGate.Core.Checks;
using MLOpsGate.Core.Repair;
using MLOpsGate.Core.Rules;

namespace MLOpsGate.Cli;

/// <summary>The `mlopsgate` command line: check, explain, schema.</summary>
public static class MLOpsGateCommandLine
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("MLOpsGate: a quality gate for exported ONNX models (dropout scaling, training-mode exports).");
        root.Subcommands.Add(CheckCommand(stdout, stderr));
        root.Subcommands.Add(FixCommand(stdout, stderr));
        root.Subcommands.Add(InitCommand(stdout, stderr));
        root.Subcommands.Add(ExplainCommand(stdout, stderr));
        root.Subcommands.Add(SchemaCommand(stdout));

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                stderr.WriteLine($"mlopsgate: error: {error.Message}");
            }

            stderr.WriteLine("Run 'mlopsgate --help' for usage.");
            return ExitCodes.CannotRun;
        }

        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Reports, fixed models and drafts are written where the user says; a path that cannot be written is bad input.
            stderr.WriteLine($"mlopsgate: error: cannot write the output: {ex.Message}; choose a writable file path");
            return ExitCodes.CannotRun;
        }
    }

    private static Command CheckCommand(TextWriter stdout, TextWriter stderr)
    {
        var manifest = new Option<string>("--manifest") { Description = "The manifest (default: mlopsgate.yml in the current folder).", DefaultValueFactory = _ => "mlopsgate.yml" };
        var models = new Option<string[]>("--model") { Description = "Check only this model (repeatable).", Arity = ArgumentArity.ZeroOrMore };
        var workspace = new Option<string?>("--workspace") { Description = "The folder every path must stay inside (default: the repository root above the manifest)." };
        var failOn = new Option<string>("--fail-on") { Description = "The lowest severity that fails the gate.", DefaultValueFactory = _ => "error" };
        failOn.AcceptOnlyFromAmong("error", "warning", "never");
        var json = new Option<string?>("--report-json") { Description = "Write the JSON report here." };
        var sarif = new Option<string?>("--report-sarif") { Description = "Write the SARIF 2.1.0 report here (for code scanning)." };
        var markdown = new Option<string?>("--report-markdown") { Description = "Write the Markdown summary here (for a pull-request comment or job summary)." };
        var filesRead = new Option<string?>("--files-read") { Description = "Write the list of files the run read here, one absolute path a line (for incremental builds).", Hidden = true };
        var command = new Command("check", "Run every check of every (selected) model.") { manifest, models, workspace, failOn, json, sarif, markdown, filesRead };
        command.SetAction(parse => new CheckRunner(stdout, stderr).Run(new CheckRequest(
            parse.GetValue(manifest)!,
            parse.GetValue(models) ?? [],
            parse.GetValue(workspace),
            Enum.Parse<FailOn>(parse.GetValue(failOn)!, ignoreCase: true),
            parse.GetValue(json),
            parse.GetValue(filesRead),
            parse.GetValue(sarif),
            parse.GetValue(markdown))));
        return command;
    }

    private static Command FixCommand(TextWriter stdout, TextWriter stderr)
    {
        var manifest = new Option<string>("--manifest") { Description = "The manifest (default: mlopsgate.yml in the current folder).", DefaultValueFactory = _ => "mlopsgate.yml" };
        var model = new Option<string>("--model") { Description = "The model to fix.", Required = true };
        var output = new Option<string?>("--output") { Description = "Write the corrected model here." };
        var inPlace = new Option<bool>("--in-place") { Description = "Overwrite the model's artifact." };
        var strategy = new Option<string?>("--strategy") { Description = "weights: rescale the consuming initializer; node: insert a Mul (default: the declared compensation, else weights)." };
        strategy.AcceptOnlyFromAmong("weights", "node");
        var workspace = new Option<string?>("--workspace") { Description = "The folder every path must stay inside." };
        var command = new Command("fix", "Write a corrected model (scaling inserted or removed, training-mode Dropout disabled) and re-check it.") { manifest, model, output, inPlace, strategy, workspace };
        command.SetAction(parse => new FixRunner(stdout, stderr).Run(new FixRequest(
            parse.GetValue(manifest)!,
            parse.GetValue(model)!,
            parse.GetValue(output),
            parse.GetValue(inPlace),
            parse.GetValue(strategy) is { } s ? Enum.Parse<RepairStrategy>(s, ignoreCase: true) : null,
            parse.GetValue(workspace))));
        return command;
    }

    private static Command InitCommand(TextWriter stdout, TextWriter stderr)
    {
        var artifact = new Option<string>("--artifact") { Description = "The exported ONNX model.", Required = true };
        var output = new Option<string>("--output") { Description = "Where to write the draft (never overwritten).", DefaultValueFactory = _ => "mlopsgate.yml" };
        var workspace = new Option<string?>("--workspace") { Description = "The folder every path must stay inside." };
        var command = new Command("init", "Draft a manifest from a model: framework, Dropout nodes and likely sites, commented.") { artifact, output, workspace };
        command.SetAction(parse => new InitRunner(stdout, stderr).Run(parse.GetValue(artifact)!, parse.GetValue(output)!, parse.GetValue(workspace)));
        return command;
    }

    private static Command ExplainCommand(TextWriter stdout, TextWriter stderr)
    {
        var rule = new Argument<string?>("rule") { Description = "A rule id such as MLG003; without it, every rule is listed.", Arity = ArgumentArity.ZeroOrOne };
        var markdown = new Option<bool>("--markdown") { Description = "Print the whole catalogue as Markdown (docs/rules.md)." };
        var command = new Command("explain", "Describe a rule: what it means, why it matters, how to fix it.") { rule, markdown };
        command.SetAction(parse =>
        {
            if (parse.GetValue(markdown))
            {
                stdout.Write(RuleDocs.Document());
                return ExitCodes.Passed;
            }

            return RuleExplainer.Explain(parse.GetValue(rule), stdout, stderr);
        });
        return command;
    }

    private static Command SchemaCommand(TextWriter stdout)
    {
        var command = new Command("schema", "Print the manifest's JSON Schema.");
        command.SetAction(_ =>
        {
            using var stream = typeof(MLOpsGateCommandLine).Assembly.GetManifestResourceStream("mlopsgate.schema.json")!;
            using var reader = new StreamReader(stream);
            stdout.Write(reader.ReadToEnd());
            return ExitCodes.Passed;
        });
        return command;
    }
}

public static class ExitCodes
{
    public const int Passed = 0;
    public const int Failed = 1;
    public const int CannotRun = 2;
}
