using MLOpsGate.Core.Runtime;

namespace MLOpsGate.Core.Tests.Analysis;

public sealed class UnitAccumulatorTests
{
    [Fact]
    public void PooledStandardDeviationRatioIgnoresBiasWhereAPlainRmsRatioDoesNot()
    {
        // Reference: x + b; actual: 2x + b (a missing keep factor of 0.5 before a biased layer).
        var random = new Random(7);
        int rows = 4000, units = 8;
        var bias = Enumerable.Range(0, units).Select(u => 0.3 * (u - 3)).ToArray();
        var reference = new double[rows * units];
        var actual = new double[rows * units];
        for (int i = 0; i < reference.Length; i++)
        {
            double x = random.NextDouble() - 0.5;
            reference[i] = x + bias[i % units];
            actual[i] = (2 * x) + bias[i % units];
        }

        var r = new UnitAccumulator(units);
        var a = new UnitAccumulator(units);
        long[] shape = [rows, units];
        r.Add(reference, shape, 1);
        a.Add(actual, shape, 1);
        double pooled = UnitAccumulator.PooledScale(a.StandardDeviations(), r.StandardDeviations());
        double rms = Math.Sqrt(actual.Average(v => v * v) / reference.Average(v => v * v));
        Assert.Equal(2.0, pooled, 6);
        Assert.True(Math.Abs(rms - 2.0) > 0.05, $"RMS ratio {rms} should be biased away from 2");
    }

    [Fact]
    public void ChannelAxisOfNchwPoolsBatchAndSpatialPositions()
    {
        // Two channels, 2x2 spatial, 3 samples: channel 0 constant 1, channel 1 alternates 0/2.
        var values = new double[3 * 2 * 4];
        for (int n = 0; n < 3; n++)
        {
            for (int p = 0; p < 4; p++)
            {
                values[(n * 8) + p] = 1;
                values[(n * 8) + 4 + p] = p % 2 == 0 ? 0 : 2;
            }
        }

        var acc = new UnitAccumulator(2);
        acc.Add(values, [3, 2, 2, 2], 1);
        Assert.Equal(0, acc.StandardDeviations()[0], 12);
        Assert.Equal(Math.Sqrt(12.0 / 11.0), acc.StandardDeviations()[1], 12);
        Assert.Equal(1.0, acc.Means[1], 12);
    }

    [Fact]
    public void StreamingInBatchesEqualsOnePass()
    {
        var random = new Random(3);
        var data = Enumerable.Range(0, 300).Select(_ => random.NextDouble() * 10).ToArray();
        var whole = new UnitAccumulator(3);
        whole.Add(data, [100, 3], 1);
        var chunked = new UnitAccumulator(3);
        for (int start = 0; start < 100; start += 7)
        {
            int rows = Math.Min(7, 100 - start);
            chunked.Add(data.AsSpan(start * 3, rows * 3), [rows, 3], 1);
        }

        Assert.Equal(whole.StandardDeviations(), chunked.StandardDeviations(), new ToleranceComparer(1e-12));
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
