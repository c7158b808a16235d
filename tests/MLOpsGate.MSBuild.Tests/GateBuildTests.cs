namespace MLOpsGate.MSBuild.Tests;

/// <summary>
/// Real `dotnet build` runs of consumer projects that reference the packed package. Each build costs
/// seconds, so each test is a sequence of builds over one consumer.
/// </summary>
[Collection(PackagedGateCollection.Name)]
public sealed class GateBuildTests(PackagedGate gate)
{
    [Fact]
    public void A_passing_model_builds_and_the_gate_reruns_only_when_an_input_changes()
    {
        var consumer = new Consumer(gate, "incremental");
        consumer.Project("app");
        consumer.CopyFixture("app", "digits-inverted-ok");
        consumer.Manifest("app/mlopsgate.yml", "digits-inverted-ok", "inverted");

        var first = consumer.Build("app/app.csproj");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Single(first.GateRuns);
        Assert.Empty(first.Errors);
        Assert.DoesNotContain(first.Warnings, w => w.Code?.StartsWith("MLG", StringComparison.Ordinal) == true);

        var unchanged = consumer.Build("app/app.csproj", "--no-restore");
        Assert.True(unchanged.ExitCode == 0, unchanged.ToString());
        Assert.True(unchanged.GateSkippedAsUpToDate, "no input changed: the gate must be skipped\n" + unchanged);

        consumer.Touch("app/models/digits-inverted-ok.onnx");
        var modelTouched = consumer.Build("app/app.csproj", "--no-restore");
        Assert.True(modelTouched.ExitCode == 0, modelTouched.ToString());
        Assert.Single(modelTouched.GateRuns);

        // A file named inside the manifest (not the manifest itself) is an input too.
        consumer.Touch("app/data/digits-inverted-ok/inputs.npy");
        var calibrationTouched = consumer.Build("app/app.csproj", "--no-restore");
        Assert.True(calibrationTouched.ExitCode == 0, calibrationTouched.ToString());
        Assert.Single(calibrationTouched.GateRuns);

        // With a changed input, neither a design-time build nor MLOpsGateEnabled=false runs the gate.
        consumer.Touch("app/models/digits-inverted-ok.onnx");
        var designTime = consumer.Build("app/app.csproj", "--no-restore", "-p:DesignTimeBuild=true");
        Assert.True(designTime.ExitCode == 0, designTime.ToString());
        Assert.True(designTime.GateTargetsAbsent, "a design-time build must not run the gate\n" + designTime);

        var disabled = consumer.Build("app/app.csproj", "--no-restore", "-p:MLOpsGateEnabled=false");
        Assert.True(disabled.ExitCode == 0, disabled.ToString());
        Assert.True(disabled.GateTargetsAbsent, "MLOpsGateEnabled=false must skip the gate\n" + disabled);
    }

    [Fact]
    public void A_broken_model_fails_at_the_site_line_every_time_and_warnings_follow_NoWarn_and_warnaserror()
    {
        var consumer = new Consumer(gate, "broken");
        consumer.Project("app");
        consumer.CopyFixture("app", "digits-standard-naive");
        var manifest = consumer.Manifest("app/mlopsgate.yml", "digits-standard-naive", "standard");
        var (line, column) = consumer.KeyPosition("app/mlopsgate.yml", "input_of");

        var failed = consumer.Build("app/app.csproj");
        Assert.True(failed.ExitCode == 1, failed.ToString());
        Assert.Single(failed.GateRuns);
        var diagnostic = $"{manifest}({line},{column}): error MLG003: ";
        Assert.Single(failed.LinesStartingWith(diagnostic));
        var error = Assert.Single(failed.Errors);
        Assert.Equal(("MLG003", manifest, line, column), (error.Code, error.File, error.LineNumber, error.ColumnNumber));
        Assert.Equal((0, 0), (error.EndLineNumber, error.EndColumnNumber));
        Assert.True(string.IsNullOrEmpty(error.Subcategory));

        // No stamp after a failure: the next build runs the gate and fails again.
        var again = consumer.Build("app/app.csproj", "--no-restore");
        Assert.True(again.ExitCode == 1, again.ToString());
        Assert.Single(again.GateRuns);
        Assert.Single(again.LinesStartingWith(diagnostic));

        // The model's severity makes MLG003 a warning: the build passes and shows it.
        consumer.Manifest("app/mlopsgate.yml", "digits-standard-naive", "standard", severity: "warning");
        var warned = consumer.Build("app/app.csproj", "--no-restore");
        Assert.True(warned.ExitCode == 0, warned.ToString());
        Assert.Single(warned.GateRuns);
        Assert.Single(warned.LinesStartingWith($"{manifest}({line},{column}): warning MLG003: "));

        // Nothing changed, so the gate is skipped, and its warning is shown again: -warnaserror makes it an error.
        var strict = consumer.Build("app/app.csproj", "--no-restore", "-warnaserror");
        Assert.True(strict.ExitCode == 1, strict.ToString());
        Assert.True(strict.GateSkippedAsUpToDate, strict.ToString());
        Assert.Single(strict.LinesStartingWith(diagnostic));

        // A fresh run under MSBuildTreatWarningsAsErrors: the promoted warning is the one error.
        consumer.Touch("app/models/digits-standard-naive.onnx");
        var promoted = consumer.Build("app/app.csproj", "--no-restore", "-p:MSBuildTreatWarningsAsErrors=true");
        Assert.True(promoted.ExitCode == 1, promoted.ToString());
        Assert.Single(promoted.GateRuns);
        Assert.Equal("MLG003", Assert.Single(promoted.Errors).Code);

        // NoWarn silences it (and `dotnet msbuild` works as well as `dotnet build`).
        consumer.Project("app", extraProperties: "<NoWarn>$(NoWarn);MLG003</NoWarn>");
        var silenced = consumer.Run("msbuild", "app/app.csproj", "-warnaserror");
        Assert.True(silenced.ExitCode == 0, silenced.ToString());
        Assert.DoesNotContain(silenced.Warnings, w => w.Code == "MLG003");
        Assert.DoesNotContain(silenced.Errors, e => e.Code == "MLG003");

        // MLOpsGateFailOn=warning is a new setting: the gate runs again and the warning fails the build (an error, whatever NoWarn says).
        var failOnWarning = consumer.Build("app/app.csproj", "--no-restore", "-p:MLOpsGateFailOn=warning");
        Assert.True(failOnWarning.ExitCode == 1, failOnWarning.ToString());
        Assert.Single(failOnWarning.GateRuns);
        Assert.Single(failOnWarning.LinesStartingWith(diagnostic));
    }

    [Fact]
    public void A_solution_runs_each_projects_manifest_once_and_a_multi_targeted_project_once()
    {
        var consumer = new Consumer(gate, "solution");
        consumer.Project("single", extraProperties: "<MLOpsGateReportDirectory>reports</MLOpsGateReportDirectory>");
        consumer.CopyFixture("single", "digits-inverted-ok");
        consumer.Manifest("single/mlopsgate.yml", "digits-inverted-ok", "inverted");

        // A manifest elsewhere than next to the project, named by an item.
        var item = """<MLOpsGateManifest Include="gate/models.yml" />""";
        consumer.Project("multi", "netstandard2.0;net10.0", extraItems: item);
        consumer.CopyFixture("multi/gate", "digits-standard-naive");
        var manifest = consumer.Manifest("multi/gate/models.yml", "digits-standard-naive", "standard");
        var (line, column) = consumer.KeyPosition("multi/gate/models.yml", "input_of");
        consumer.Write("two.slnx", """
            <Solution>
              <Project Path="single/single.csproj" />
              <Project Path="multi/multi.csproj" />
            </Solution>
            """);

        var first = consumer.Build("two.slnx");
        Assert.True(first.ExitCode == 1, first.ToString());
        Assert.Equal(1, first.GateRunsIn("single.csproj"));
        Assert.Equal(1, first.GateRunsIn("multi.csproj"));
        Assert.Equal(2, first.GateRuns.Count);
        Assert.Single(first.LinesStartingWith($"{manifest}({line},{column}): error MLG003: "));
        Assert.Single(first.Errors);
        Assert.True(File.Exists(consumer.PathOf("single/reports/mlopsgate.mlopsgate.json")), "the JSON report is written to MLOpsGateReportDirectory");
        Assert.True(File.Exists(consumer.PathOf("single/reports/mlopsgate.mlopsgate.sarif")), "the SARIF report is written to MLOpsGateReportDirectory");

        // The outer build of the multi-targeted project honours its NoWarn too.
        consumer.Manifest("multi/gate/models.yml", "digits-standard-naive", "standard", severity: "warning");
        consumer.Project("multi", "netstandard2.0;net10.0", extraProperties: "<NoWarn>$(NoWarn);MLG003</NoWarn>", extraItems: item);
        var second = consumer.Build("two.slnx", "--no-restore");
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(0, second.GateRunsIn("single.csproj"));
        Assert.Equal(1, second.GateRunsIn("multi.csproj"));
        Assert.DoesNotContain(second.Warnings, w => w.Code == "MLG003");
    }

    [Fact]
    public void The_package_is_a_development_dependency_with_the_targets_the_task_and_the_tool_with_native_libraries()
    {
        var entries = gate.PackageEntries();
        foreach (var expected in new[]
        {
            "build/MLOpsGate.MSBuild.props",
            "build/MLOpsGate.MSBuild.targets",
            "buildMultiTargeting/MLOpsGate.MSBuild.props",
            "buildMultiTargeting/MLOpsGate.MSBuild.targets",
            "tasks/netstandard2.0/MLOpsGate.MSBuild.dll",
            "tools/mlopsgate.dll",
            "tools/mlopsgate.runtimeconfig.json",
            "tools/mlopsgate.deps.json",
            "tools/MLOpsGate.Core.dll",
            "tools/Microsoft.ML.OnnxRuntime.dll",
            "tools/runtimes/linux-x64/native/libonnxruntime.so",
            "tools/runtimes/win-x64/native/onnxruntime.dll",
            "tools/runtimes/osx-arm64/native/libonnxruntime.dylib",
        })
        {
            Assert.Contains(expected, entries);
        }

        // Nothing a consumer would compile against.
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal));
        using var zip = System.IO.Compression.ZipFile.OpenRead(gate.Nupkg);
        using var nuspec = new StreamReader(zip.GetEntry("MLOpsGate.MSBuild.nuspec")!.Open());
        Assert.Contains("<developmentDependency>true</developmentDependency>", nuspec.ReadToEnd(), StringComparison.Ordinal);
    }
}
