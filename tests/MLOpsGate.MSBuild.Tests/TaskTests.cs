using System.Text.Json.Nodes;
using Microsoft.Build.Utilities;
using MLOpsGate.Tests.Shared;

namespace MLOpsGate.MSBuild.Tests;

/// <summary>The canonical-line parser and the mapping of levels to MSBuild events.</summary>
public sealed class DiagnosticTests
{
    [Fact]
    public void A_canonical_line_gives_file_position_code_and_help_link()
    {
        var line = CanonicalLine.TryParse("/src/app (1)/mlopsgate.yml(14,9): error MLG003: the keep factor {0} is missing: x(1,2): y");
        Assert.NotNull(line);
        Assert.Equal(("/src/app (1)/mlopsgate.yml", 14, 9, LineLevel.Error, "MLG003"), (line.File, line.Line, line.Column, line.Level, line.Code));
        Assert.Equal("the keep factor {0} is missing: x(1,2): y", line.Message);
        Assert.Equal("https://github.com/mlopsgate/mlopsgate/blob/main/docs/rules.md#mlg003", line.HelpLink);
    }

    [Theory]
    [InlineData("digits: fail (1 errors, 0 warnings, 372 ms)")]
    [InlineData("mlopsgate: fail: 1 models checked, 0 passed, 1 failed, 0 could not run; 1 errors, 0 warnings")]
    [InlineData("m.yml(1,1): error CS0001: not ours")]
    [InlineData("m.yml(1,1,2,3): error MLG003: an end position is not canonical")]
    [InlineData("m.yml(1,1): sub error MLG003: a subcategory is not canonical")]
    [InlineData("")]
    public void Anything_else_is_not_a_diagnostic(string text) => Assert.Null(CanonicalLine.TryParse(text));

    [Theory]
    [InlineData("error", "warning", "warning")]
    [InlineData("error", "error", "error")]
    [InlineData("warning", "warning", "error")]
    [InlineData("never", "error", "warning")]
    [InlineData("never", "warning", "warning")]
    [InlineData("error", "info", "message")]
    public void Fail_on_decides_how_a_finding_is_logged(string failOn, string level, string logged)
    {
        var engine = new RecordingBuildEngine();
        var log = new TaskLoggingHelper(engine, "MLOpsGateCheck");
        Assert.True(DiagnosticLogger.TryParseFailOn(failOn, out var mode));
        DiagnosticLogger.Log(log, CanonicalLine.TryParse($"m.yml(3,5): {level} MLG006: rate {{0}} differs")!, mode);

        var (code, file, line, column, message) = logged switch
        {
            "error" => Assert.Single(engine.Errors) is var e ? (e.Code, e.File, e.LineNumber, e.ColumnNumber, e.Message) : default,
            "warning" => Assert.Single(engine.Warnings) is var w ? (w.Code, w.File, w.LineNumber, w.ColumnNumber, w.Message) : default,
            _ => Assert.Single(engine.Messages) is var m ? (m.Code, m.File, m.LineNumber, m.ColumnNumber, m.Message) : default,
        };
        Assert.Equal(("MLG006", "m.yml", 3, 5, "rate {0} differs"), (code, file, line, column, message));
        Assert.Equal(logged == "error" ? 1 : 0, engine.Errors.Count);
        if (logged == "error")
        {
            Assert.Equal("https://github.com/mlopsgate/mlopsgate/blob/main/docs/rules.md#mlg006", engine.Errors[0].HelpLink);
            Assert.Equal((0, 0, null), (engine.Errors[0].EndLineNumber, engine.Errors[0].EndColumnNumber, engine.Errors[0].Subcategory));
        }
    }

    [Fact]
    public void An_unknown_fail_on_is_a_clear_error()
    {
        var engine = new RecordingBuildEngine();
        var task = new MLOpsGateCheck { BuildEngine = engine, FailOn = "sometimes", ToolAssembly = "x", Manifests = [new TaskItem("m.yml")] };
        Assert.False(task.Execute());
        var error = Assert.Single(engine.Errors);
        Assert.Equal("MLGB003", error.Code);
        Assert.Contains("'sometimes'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_shows_the_kept_warnings_again()
    {
        using var workspace = new TempWorkspace(withGitDirectory: false);
        var file = workspace.Write("warnings.txt", "/p/m.yml(4,7): warning MLG003: twice\n/p/m.yml(2,3): info MLG010: a note\nnot a diagnostic\n");
        var engine = new RecordingBuildEngine();
        Assert.True(new MLOpsGateReplay { BuildEngine = engine, File = file }.Execute());
        var warning = Assert.Single(engine.Warnings);
        Assert.Equal(("MLG003", "/p/m.yml", 4, 7), (warning.Code, warning.File, warning.LineNumber, warning.ColumnNumber));
        Assert.Contains(engine.Messages, m => m.Code == "MLG010");

        var strict = new RecordingBuildEngine();
        Assert.False(new MLOpsGateReplay { BuildEngine = strict, File = file, FailOn = "warning" }.Execute());
        Assert.Equal("MLG003", Assert.Single(strict.Errors).Code);
    }
}

/// <summary>
/// The task runs a process that does not behave: each ends as one clear MSBuild error at the
/// manifest, never a silent pass. A stand-in for `dotnet` (a shell script) plays the tool.
/// </summary>
public sealed class ToolFailureTests : IDisposable
{
    private readonly TempWorkspace _workspace = new(withGitDirectory: false);

    public void Dispose() => _workspace.Dispose();

    [UnixFact]
    public void A_crash_is_one_error()
    {
        var (ok, engine) = RunWithFakeHost("echo 'checking digits' >&2\nkill -SEGV $$\n");
        Assert.False(ok);
        var error = Assert.Single(engine.Errors);
        Assert.Equal(("MLGB002", Manifest), (error.Code, error.File));
        Assert.Contains("exit code 139", error.Message, StringComparison.Ordinal);
    }

    [UnixFact]
    public void Exit_2_without_a_finding_is_one_error_at_the_manifest_with_the_tools_reason()
    {
        var (ok, engine) = RunWithFakeHost("echo \"mlopsgate: error: no model named 'x'\" >&2\nexit 2\n");
        Assert.False(ok);
        var error = Assert.Single(engine.Errors);
        Assert.Equal(("MLGB001", Manifest), (error.Code, error.File));
        Assert.Contains("no model named 'x'", error.Message, StringComparison.Ordinal);
    }

    [UnixFact]
    public void Exit_1_without_an_error_is_not_a_pass()
    {
        var (ok, engine) = RunWithFakeHost("echo 'digits: pass (0 errors, 0 warnings, 1 ms)'\necho 'Unhandled exception: System.IO.IOException: disk full' >&2\necho '   at Somewhere()' >&2\nexit 1\n");
        Assert.False(ok);
        var error = Assert.Single(engine.Errors);
        Assert.Equal("MLGB002", error.Code);
        Assert.Contains("disk full", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Somewhere", error.Message, StringComparison.Ordinal);
    }

    [UnixFact]
    public void Findings_on_standard_output_are_logged_and_fail_on_never_passes()
    {
        var script = $"echo '{Manifest}(9,11): error MLG003: missing scaling'\necho '{Manifest}(8,7): info MLG010: a note'\nexit 0\n";
        var (ok, engine) = RunWithFakeHost(script, failOn: "never");
        Assert.True(ok, engine.ToString());
        Assert.Empty(engine.Errors);
        var warning = Assert.Single(engine.Warnings);
        Assert.Equal(("MLG003", Manifest, 9, 11), (warning.Code, warning.File, warning.LineNumber, warning.ColumnNumber));
    }

    [Fact]
    public void A_missing_tool_is_one_error()
    {
        var engine = new RecordingBuildEngine();
        var task = new MLOpsGateCheck { BuildEngine = engine, ToolAssembly = _workspace.PathOf("nope/mlopsgate.dll"), Manifests = [new TaskItem(Manifest)] };
        Assert.False(task.Execute());
        Assert.Equal("MLGB003", Assert.Single(engine.Errors).Code);
    }

    private string Manifest => _workspace.PathOf("app/mlopsgate.yml");

    private (bool Ok, RecordingBuildEngine Engine) RunWithFakeHost(string script, string failOn = "error")
    {
        var host = _workspace.Write("fake-dotnet", "#!/bin/sh\n" + script);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(host, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var tool = _workspace.Write("tools/mlopsgate.dll", "not run: the fake host ignores it");
        _workspace.Write("app/mlopsgate.yml", "version: 1\n");
        var engine = new RecordingBuildEngine();
        var task = new MLOpsGateCheck
        {
            BuildEngine = engine,
            DotnetHost = host,
            ToolAssembly = tool,
            FailOn = failOn,
            Manifests = [new TaskItem(Manifest)],
        };
        return (task.Execute(), engine);
    }
}

/// <summary>The packaged CLI on a machine without the .NET runtime it needs.</summary>
[Collection(PackagedGateCollection.Name)]
public sealed class MissingRuntimeTests(PackagedGate gate) : IDisposable
{
    private readonly TempWorkspace _workspace = new(withGitDirectory: false);

    public void Dispose() => _workspace.Dispose();

    [Fact]
    public void A_missing_runtime_is_one_clear_error()
    {
        // The packaged tools, asking for a .NET that no machine has.
        var tools = _workspace.CreateDirectory("tools");
        foreach (var file in Directory.EnumerateFiles(gate.ToolsDirectory))
        {
            File.Copy(file, Path.Combine(tools, Path.GetFileName(file)));
        }

        var config = Path.Combine(tools, "mlopsgate.runtimeconfig.json");
        var json = JsonNode.Parse(File.ReadAllText(config))!;
        json["runtimeOptions"]!["framework"]!["version"] = "99.0.0";
        File.WriteAllText(config, json.ToJsonString());
        var manifest = _workspace.Write("app/mlopsgate.yml", "version: 1\n");

        var engine = new RecordingBuildEngine();
        var task = new MLOpsGateCheck { BuildEngine = engine, ToolAssembly = Path.Combine(tools, "mlopsgate.dll"), Manifests = [new TaskItem(manifest)] };
        Assert.False(task.Execute());
        var error = Assert.Single(engine.Errors);
        Assert.Equal(("MLGB002", manifest), (error.Code, error.File));
        Assert.Contains("99.0.0", error.Message, StringComparison.Ordinal);
    }
}

/// <summary>A fact that runs on Linux and macOS only (it uses a shell script as a stand-in program).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute()
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = "uses a shell script as a stand-in program";
        }
    }
}
