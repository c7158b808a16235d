namespace MLOpsGate.Core.Manifest;

/// <summary>Why a path is not inside the workspace.</summary>
public enum PathEscape
{
    /// <summary>The path stays inside the workspace.</summary>
    None,

    /// <summary>A relative path whose '..' segments climb out of the workspace.</summary>
    ParentTraversal,

    /// <summary>An absolute path to a place outside the workspace.</summary>
    AbsolutePath,

    /// <summary>A relative path without '..' that still lies outside (its base folder is outside the workspace).</summary>
    OutsideWorkspace,

    /// <summary>A symbolic link on the way leads outside the workspace.</summary>
    SymbolicLink,

    /// <summary>The symbolic links on the way form a loop and cannot be resolved.</summary>
    SymbolicLinkLoop,
}

/// <summary>A path resolved against a base folder and checked against the workspace root.</summary>
/// <param name="FullPath">The absolute path as spelled (symbolic links not resolved), in the platform's form.</param>
/// <param name="Escape">Why the path is outside the workspace, or <see cref="PathEscape.None"/>.</param>
/// <param name="Link">For <see cref="PathEscape.SymbolicLink"/>: the link that leads outside, workspace-relative with '/'.</param>
public sealed record ConfinedPath(string FullPath, PathEscape Escape, string? Link)
{
    public bool IsInside => Escape == PathEscape.None;
}

/// <summary>Confines paths to the workspace root: '..' escapes, absolute paths outside it and symbolic links
/// (in any component) that lead outside it are refused. Used for the manifest's paths and for a model's
/// external-data files.</summary>
public static class WorkspacePaths
{
    private const int MaxLinkHops = 40;

    private static StringComparison PathComparison =>
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>Resolves <paramref name="path"/> (relative to <paramref name="baseDirectory"/> unless absolute;
    /// '\' is read as '/') and checks that it, and every symbolic link it goes through, stays inside
    /// <paramref name="workspaceRoot"/>. The file need not exist.</summary>
    /// <exception cref="ArgumentException">The path contains characters no path may hold.</exception>
    public static ConfinedPath Resolve(string path, string baseDirectory, string workspaceRoot)
    {
        ArgumentNullException.ThrowIfNull(path);
        var spelled = path.Replace('\\', '/');
        var rooted = Path.IsPathRooted(spelled);
        var fullPath = Path.GetFullPath(rooted ? spelled : Path.Combine(Path.GetFullPath(baseDirectory), spelled));
        var root = Path.GetFullPath(workspaceRoot);

        var realRoot = RealPath(root, null, out _, out _);
        var realPath = RealPath(
            rooted ? spelled : Path.Combine(Path.GetFullPath(baseDirectory), spelled),
            realRoot,
            out var firstOutsideLink,
            out var loop);
        if (loop)
        {
            return new ConfinedPath(fullPath, PathEscape.SymbolicLinkLoop, null);
        }

        if (IsInside(realPath, realRoot))
        {
            return new ConfinedPath(fullPath, PathEscape.None, null);
        }

        PathEscape escape;
        if (IsInside(fullPath, root))
        {
            escape = PathEscape.SymbolicLink;
        }
        else if (rooted)
        {
            escape = PathEscape.AbsolutePath;
        }
        else
        {
            var segments = spelled.Split('/');
            escape = Array.IndexOf(segments, "..") >= 0 ? PathEscape.ParentTraversal : PathEscape.OutsideWorkspace;
        }

        string? link = null;
        if (escape == PathEscape.SymbolicLink && firstOutsideLink is not null)
        {
            link = IsInside(firstOutsideLink, root) ? ToWorkspaceRelative(firstOutsideLink, root)
                : IsInside(firstOutsideLink, realRoot) ? ToWorkspaceRelative(firstOutsideLink, realRoot)
                : firstOutsideLink.Replace('\\', '/');
        }

        return new ConfinedPath(fullPath, escape, link);
    }

    /// <summary>True when <paramref name="fullPath"/> is <paramref name="root"/> or lies below it (lexically).</summary>
    public static bool IsInside(string fullPath, string? root)
    {
        if (root is null)
        {
            return false;
        }

        var trimmedRoot = Path.TrimEndingDirectorySeparator(root);
        var trimmedPath = Path.TrimEndingDirectorySeparator(fullPath);
        if (string.Equals(trimmedPath, trimmedRoot, PathComparison))
        {
            return true;
        }

        var prefix = Path.EndsInDirectorySeparator(trimmedRoot) ? trimmedRoot : trimmedRoot + Path.DirectorySeparatorChar;
        return trimmedPath.StartsWith(prefix, PathComparison);
    }

    /// <summary>The path relative to the workspace root, '/'-separated (the full path, '/'-separated, when outside).</summary>
    public static string ToWorkspaceRelative(string fullPath, string workspaceRoot)
    {
        var relative = IsInside(fullPath, workspaceRoot) ? Path.GetRelativePath(workspaceRoot, fullPath) : fullPath;
        return relative.Replace('\\', '/');
    }

    /// <summary>Like realpath(3) but tolerant of missing components: resolves every symbolic link among the
    /// components that exist (following '..' physically), and appends the missing rest lexically.</summary>
    /// <param name="realRoot">When given, <paramref name="firstOutsideLink"/> reports the first link (as spelled on the
    /// walk) whose target lies outside it.</param>
    private static string RealPath(string path, string? realRoot, out string? firstOutsideLink, out bool loop)
    {
        firstOutsideLink = null;
        loop = false;
        var hops = 0;
        try
        {
            return Walk(path, realRoot, ref firstOutsideLink, ref hops);
        }
        catch (LinkLoopException)
        {
            loop = true;
            return Path.GetFullPath(path);
        }
    }

    private static string Walk(string path, string? realRoot, ref string? firstOutsideLink, ref int hops)
    {
        // The path is rooted; '..' is NOT collapsed lexically here: it must follow the links walked so far.
        var rootPart = Path.GetPathRoot(path) ?? string.Empty;
        var current = Path.GetFullPath(rootPart.Length == 0 ? Path.DirectorySeparatorChar.ToString() : rootPart);
        var components = path[rootPart.Length..].Split(['/', '\\'], StringSplitOptions.RemoveEmptyEntries);
        var exists = true;
        foreach (var component in components)
        {
            if (component == ".")
            {
                continue;
            }

            if (component == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }

            var next = Path.Combine(current, component);
            if (!exists)
            {
                current = next;
                continue;
            }

            string? target;
            try
            {
                target = new FileInfo(next).LinkTarget;
            }
            catch (IOException)
            {
                target = null;
            }
            catch (UnauthorizedAccessException)
            {
                target = null;
            }

            if (target is null)
            {
                exists = File.Exists(next) || Directory.Exists(next);
                current = next;
                continue;
            }

            if (++hops > MaxLinkHops)
            {
                throw new LinkLoopException();
            }

            var targetPath = Path.IsPathRooted(target) ? target : Path.Combine(current, target);
            string? ignored = null;
            var resolved = Walk(targetPath, null, ref ignored, ref hops);
            if (realRoot is not null && firstOutsideLink is null && !IsInside(resolved, realRoot))
            {
                firstOutsideLink = next;
            }

            current = resolved;
            exists = File.Exists(current) || Directory.Exists(current);
        }

        return current;
    }

    private sealed class LinkLoopException : Exception;
}
