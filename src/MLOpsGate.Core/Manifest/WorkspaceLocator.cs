namespace MLOpsGate.Core.Manifest;

/// <summary>Finds the workspace root every manifest path is confined to, without running git.</summary>
public static class WorkspaceLocator
{
    /// <summary>Walks up from <paramref name="manifestDirectory"/> to the first folder holding a `.git` directory or
    /// file (worktrees and submodules have a `.git` file); when there is none, the manifest's folder itself.</summary>
    public static string Find(string manifestDirectory)
    {
        var start = Path.TrimEndingDirectorySeparator(Path.GetFullPath(manifestDirectory));
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            var git = Path.Combine(directory.FullName, ".git");
            if (Directory.Exists(git) || File.Exists(git))
            {
                return Path.TrimEndingDirectorySeparator(directory.FullName);
            }
        }

        return start;
    }
}
