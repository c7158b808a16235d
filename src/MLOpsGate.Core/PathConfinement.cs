namespace MLOpsGate.Core;

/// <summary>Keeps every path the gate reads inside the workspace root.</summary>
public static class PathConfinement
{
    /// <summary>True when <paramref name="fullPath"/>, with symlinks resolved, lies inside <paramref name="root"/>.</summary>
    public static bool IsInside(string fullPath, string root)
    {
        var resolvedRoot = ResolveLinks(Path.GetFullPath(root));
        var resolved = ResolveLinks(Path.GetFullPath(fullPath));
        var prefix = resolvedRoot.EndsWith(Path.DirectorySeparatorChar) ? resolvedRoot : resolvedRoot + Path.DirectorySeparatorChar;
        return resolved == resolvedRoot || resolved.StartsWith(prefix, StringComparison.Ordinal);
    }

    /// <summary>Resolves symlinks component by component; components that do not exist are kept as written.</summary>
    public static string ResolveLinks(string fullPath)
    {
        var root = Path.GetPathRoot(fullPath) ?? "/";
        var current = root;
        foreach (var part in fullPath[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.Exists && info.LinkTarget is not null)
            {
                var target = info.ResolveLinkTarget(returnFinalTarget: true);
                next = target is null ? next : ResolveLinks(Path.GetFullPath(target.FullName));
            }

            current = next;
        }

        return current;
    }
}
