namespace MLOpsGate.Core.Runtime;

/// <summary>
/// Streaming per-unit mean and variance (Chan's parallel update): memory is one entry per unit,
/// whatever the number of samples.
/// </summary>
public sealed class UnitAccumulator
{
    private readonly long[] counts;
    private readonly double[] means;
    private readonly double[] m2;

    public UnitAccumulator(int units)
    {
        counts = new long[units];
        means = new double[units];
        m2 = new double[units];
    }

    public int Units => means.Length;

    public IReadOnlyList<double> Means => means;

    /// <summary>Adds a tensor whose unit axis is <paramref name="unitAxis"/> of <paramref name="shape"/> (the rest are samples).</summary>
    public void Add(ReadOnlySpan<double> values, IReadOnlyList<long> shape, int unitAxis)
    {
        int units = (int)shape[unitAxis];
        if (units != Units)
        {
            throw new InvalidDataException($"expected {Units} units along axis {unitAxis}, got {units}");
        }

        long inner = 1;
        for (int d = unitAxis + 1; d < shape.Count; d++)
        {
            inner *= shape[d];
        }

        for (int i = 0; i < values.Length; i++)
        {
            int unit = (int)(i / inner % units);
            double x = values[i];
            long n = ++counts[unit];
            double delta = x - means[unit];
            means[unit] += delta / n;
            m2[unit] += delta * (x - means[unit]);
        }
    }

    public double Variance(int unit) => counts[unit] > 1 ? m2[unit] / (counts[unit] - 1) : 0;

    public double[] StandardDeviations() => Enumerable.Range(0, Units).Select(u => Math.Sqrt(Variance(u))).ToArray();

    /// <summary>
    /// The pooled scale sqrt(Σ var_actual / Σ var_reference) over the units whose reference std exceeds
    /// 1e-6 of the largest; it ignores biases, which a plain RMS ratio does not.
    /// </summary>
    public static double PooledScale(IReadOnlyList<double> actualStd, IReadOnlyList<double> referenceStd)
    {
        double largest = referenceStd.DefaultIfEmpty(0).Max();
        double actualVar = 0, referenceVar = 0;
        for (int u = 0; u < referenceStd.Count; u++)
        {
            if (referenceStd[u] > 1e-6 * largest)
            {
                actualVar += actualStd[u] * actualStd[u];
                referenceVar += referenceStd[u] * referenceStd[u];
            }
        }

        return referenceVar > 0 ? Math.Sqrt(actualVar / referenceVar) : double.NaN;
    }
}
