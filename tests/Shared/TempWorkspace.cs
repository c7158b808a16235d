namespace MLOpsGate.Tests.Shared;

/// <summary>A temporary folder, optionally marked as a repository root with a `.git` folder; deleted on dispose.</summary>
public sealed class TempWorkspace : IDisposable
{
    public TempWorkspace(bool withGitDirectory = true)
    {
        Root = Path.Combine(Path.GetTempPath(), "mlopsgate-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        if (withGitDirectory)
        {
            Directory.CreateDirectory(Path.Combine(Root, ".git"));
        }
    }

    public string Root { get; }

    public string PathOf(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    public string Write(string relative, string content)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Copies a file or folder of the repository's fixtures into the workspace at the same relative path.</summary>
    public string CopyFromRepository(string relative)
    {
        var source = Path.Combine(RepositoryRoot.Path, relative);
        var target = PathOf(relative);
        if (Directory.Exists(source))
        {
            foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            {
                var dest = Path.Combine(target, Path.GetRelativePath(source, file));
                Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
                File.Copy(file, dest, overwrite: true);
            }
        }
        else
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(source, target, overwrite: true);
        }

        return target;
    }

    public string CreateDirectory(string relative)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(path);
        return path;
    }

    public void Dispose()
    {
        try
        {
            DeleteTree(new DirectoryInfo(Root));
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder must not fail a test.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Deletes a tree without following symbolic links out of it.</summary>
    private static void DeleteTree(DirectoryInfo directory)
    {
        foreach (var entry in directory.EnumerateFileSystemInfos())
        {
            if (entry.LinkTarget is not null || entry is FileInfo)
            {
                entry.Delete();
            }
            else
            {
                DeleteTree((DirectoryInfo)entry);
            }
        }

        directory.Delete();
    }
}
