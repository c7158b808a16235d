using MLOpsGate.Tests.Shared;

namespace MLOpsGate.MSBuild.Tests;

/// <summary>Runs the `dotnet` program as a child process, as a developer or CI would.</summary>
public static class DotnetProcess
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(8);

    public static ProcessResult Run(string workingDirectory, params string[] arguments) =>
        ChildProcess.Run(DotnetHost(), arguments, workingDirectory, Timeout, start =>
        {
            // The test host runs under `dotnet test`, whose MSBuild variables would leak into a nested build.
            foreach (var name in start.Environment.Keys.ToList())
            {
                if (name.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase))
                {
                    start.Environment.Remove(name);
                }
            }

            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            start.Environment["DOTNET_NOLOGO"] = "1";
            start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        });

    /// <summary>The same `dotnet` that runs the tests when it is known, else the one on PATH.</summary>
    public static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
    }
}
