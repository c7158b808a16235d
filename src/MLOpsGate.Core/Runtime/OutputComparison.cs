using MLOpsGate.Core.Manifest;
using MLOpsGate.Core.Reporting;

namespace MLOpsGate.Core.Runtime;

/// <summary>Streaming comparison of actual outputs against reference outputs, batch by batch.</summary>
public sealed class OutputComparison(Tolerance tolerance)
{
    private long samples;
    private long elements;
    private long mismatches;
    private long nonFinite;
    private double maxAbs;
    private double maxRel;
    private double dot;
    private double squaredError;
    private double actualSq;
    private double referenceSq;
    private long argmaxRows;
    private long argmaxAgree;

    public long NonFiniteCount => nonFinite;

    public long Elements => elements;

    public long Mismatches => mismatches;

    /// <summary>Σ (actual − reference)²: a smooth error for searching a repairing factor.</summary>
    public double SquaredError => squaredError;

    public bool AllClose => elements > 0 && mismatches == 0 && nonFinite == 0;

    /// <summary>Adds one batch of one output; rows are the first axis. <paramref name="extraTolerance"/> widens each element's band (standard errors of a mean).</summary>
    public void Add(ReadOnlySpan<double> actual, ReadOnlySpan<double> reference, int rows, bool countSamples, double[]? extraTolerance = null)
    {
        if (countSamples)
        {
            samples += rows;
        }

        for (int i = 0; i < actual.Length; i++)
        {
            double a = actual[i], r = reference[i];
            elements++;
            if (!double.IsFinite(a))
            {
                nonFinite++;
                mismatches++;
                continue;
            }

            double abs = Math.Abs(a - r);
            maxAbs = Math.Max(maxAbs, abs);
            if (r != 0)
            {
                maxRel = Math.Max(maxRel, abs / Math.Abs(r));
            }

            if (abs > tolerance.Atol + tolerance.Rtol * Math.Abs(r) + (extraTolerance?[i] ?? 0))
            {
                mismatches++;
            }

            squaredError += (a - r) * (a - r);
            dot += a * r;
            actualSq += a * a;
            referenceSq += r * r;
        }

        int width = rows > 0 ? actual.Length / rows : 0;
        if (width > 1)
        {
            for (int row = 0; row < rows; row++)
            {
                argmaxRows++;
                if (ArgMax(actual.Slice(row * width, width)) == ArgMax(reference.Slice(row * width, width)))
                {
                    argmaxAgree++;
                }
            }
        }
    }

    /// <summary>Counts non-finite values when there is no reference to compare with.</summary>
    public void AddUnreferenced(ReadOnlySpan<double> actual)
    {
        foreach (var a in actual)
        {
            if (!double.IsFinite(a))
            {
                nonFinite++;
            }
        }
    }

    public OutputMetrics ToMetrics() => new(
        samples,
        maxAbs,
        maxRel,
        elements > 0 ? (double)mismatches / elements : 0,
        actualSq > 0 && referenceSq > 0 ? dot / Math.Sqrt(actualSq * referenceSq) : (actualSq == referenceSq ? 1 : 0),
        argmaxRows > 0 ? (double)argmaxAgree / argmaxRows : null);

    private static int ArgMax(ReadOnlySpan<double> row)
    {
        int best = 0;
        for (int i = 1; i < row.Length; i++)
        {
            if (row[i] > row[best])
            {
                best = i;
            }
        }

        return best;
    }
}
