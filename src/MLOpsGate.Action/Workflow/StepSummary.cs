using System.Text;

namespace MLOpsGate.Action.Workflow;

/// <summary>The job summary (GITHUB_STEP_SUMMARY): the runner drops a step's summary entirely when it is over 1 MiB.</summary>
internal static class StepSummary
{
    public const int MaxBytes = 1024 * 1024;

    /// <summary>
    /// Renders with <paramref name="render"/> (given a character budget) so that the UTF-8 text fits in
    /// <paramref name="maxBytes"/>, shrinking the budget until it does; the renderer trims with a visible note.
    /// </summary>
    public static string Fit(Func<int, string> render, int maxBytes)
    {
        int budget = maxBytes;
        for (int attempt = 0; attempt < 8; attempt++)
        {
            var text = render(budget);
            int bytes = Encoding.UTF8.GetByteCount(text);
            if (bytes <= maxBytes)
            {
                return text;
            }

            budget = (int)(budget * ((double)maxBytes / bytes) * 0.95);
        }

        return render(maxBytes / 4);
    }

    /// <summary>Appends the summary, keeping the file (which may hold earlier output of this step) under 1 MiB.</summary>
    public static void Append(string path, Func<int, string> render)
    {
        long existing = File.Exists(path) ? new FileInfo(path).Length : 0;
        int room = (int)Math.Max(0, MaxBytes - existing - 1);
        if (room < 1024)
        {
            return;
        }

        File.AppendAllText(path, Fit(render, room) + "\n", new UTF8Encoding(false));
    }
}
