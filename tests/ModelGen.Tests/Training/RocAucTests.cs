
namespace ModelGen.Tests.Training;

/// <summary>
/// <see cref="RocAuc"/> (issue 14): the rank statistic with ties averaged equals the share of positive-negative pairs
/// ranked right (a tie counting half), worked out by hand and by counting pairs; undefined without positives or negatives.
/// </summary>
public sealed class RocAucTests
{
    [Fact]
    public void ScikitLearnsExample_IsThreeQuarters()
    {
        // roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.75: of the 4 pairs, only (0.35, 0.4) is ranked wrong.
        Assert.Equal(0.75, RocAuc.Of([0.1f, 0.4f, 0.35f, 0.8f], [false, false, true, true]), 12);
    }

    [Fact]
    public void TiedScores_CountHalf()
    {
        // Positives 0.5 and 0.9, negatives 0.5 and 0.5: pairs 0.5/0.5 twice (½ each), 0.9 beats both: (½ + ½ + 1 + 1) / 4.
        Assert.Equal(0.75, RocAuc.Of([0.5f, 0.5f, 0.5f, 0.9f], [false, true, false, true]), 12);

        // Every score equal: no information, 0.5.
        Assert.Equal(0.5, RocAuc.Of([0.3f, 0.3f, 0.3f], [true, false, false]), 12);
    }

    [Fact]
    public void PerfectAndReversedRankings_AreOneAndZero()
    {
        Assert.Equal(1.0, RocAuc.Of([0.1f, 0.2f, 0.7f, 0.9f], [false, false, true, true]), 12);
        Assert.Equal(0.0, RocAuc.Of([0.9f, 0.7f, 0.2f, 0.1f], [false, false, true, true]), 12);
    }

    [Fact]
    public void WithoutPositivesOrNegatives_ItIsUndefined()
    {
        Assert.True(double.IsNaN(RocAuc.Of([0.1f, 0.9f], [false, false])));
        Assert.True(double.IsNaN(RocAuc.Of([0.1f, 0.9f], [true, true])));
        Assert.True(double.IsNaN(RocAuc.Of([], [])));
        Assert.True(double.IsNaN(RocAuc.Of([0.1f, float.NaN], [true, false])));
    }

    [Fact]
    public void RandomScoresWithManyTies_AgreeWithCountingPairs()
    {
        var random = new Random(14);
        for (var trial = 0; trial < 50; trial++)
        {
            var n = random.Next(2, 60);
            var scores = Enumerable.Range(0, n).Select(_ => random.Next(0, 6) / 5f).ToArray(); // six levels: many ties
            var positive = Enumerable.Range(0, n).Select(_ => random.NextDouble() < 0.4).ToArray();
            var expected = PairCount(scores, positive);

            var auc = RocAuc.Of(scores, positive);

            if (double.IsNaN(expected))
            {
                Assert.True(double.IsNaN(auc));
            }
            else
            {
                Assert.Equal(expected, auc, 12);
            }
        }
    }

    [Fact]
    public void OneVsRest_ScoresEachClassByItsOwnProbability_AndTwoClassesShareTheBinaryAuc()
    {
        // Three classes; class 2 has no samples, so its AUC is undefined.
        float[] probabilities =
        [
            0.7f, 0.2f, 0.1f, // class 0
            0.4f, 0.5f, 0.1f, // class 1
            0.4f, 0.3f, 0.3f, // class 0
            0.2f, 0.2f, 0.6f, // class 1
        ];
        var auc = RocAuc.OneVsRest(probabilities, [0, 1, 0, 1], 3);

        Assert.Equal(PairCount([0.7f, 0.4f, 0.4f, 0.2f], [true, false, true, false]), auc[0], 12); // (1 + ½ + 1 + 1) / 4
        Assert.Equal(0.875, auc[0], 12);
        Assert.Equal(PairCount([0.2f, 0.5f, 0.3f, 0.2f], [false, true, false, true]), auc[1], 12);
        Assert.True(double.IsNaN(auc[2]));

        var binary = RocAuc.OneVsRest([0.8f, 0.2f, 0.3f, 0.7f, 0.6f, 0.4f], [0, 1, 0], 2);
        Assert.Equal(RocAuc.Of([0.2f, 0.7f, 0.4f], [false, true, false]), binary[1], 12);
        Assert.Equal(binary[1], binary[0]);
    }

    // The definition: over every (positive, negative) pair, 1 when the positive scores higher, ½ on a tie.
    internal static double PairCount(float[] scores, bool[] positive)
    {
        double sum = 0;
        long pairs = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            for (var j = 0; j < scores.Length; j++)
            {
                if (positive[i] && !positive[j])
                {
                    pairs++;
                    sum += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
                }
            }
        }

        return pairs == 0 ? double.NaN : sum / pairs;
    }
}
