namespace MLOpsGate.Tests.Shared;

/// <summary>The repository checkout the tests run from (the folder holding MLOpsGate.sln).</summary>
public static class RepositoryRoot
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "MLOpsGate.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("MLOpsGate.sln was not found above " + AppContext.BaseDirectory);
    });

    public static string Path => Root.Value;

    public static string Combine(string relative) => System.IO.Path.Combine(Path, relative.Replace('/', System.IO.Path.DirectorySeparatorChar));
}
