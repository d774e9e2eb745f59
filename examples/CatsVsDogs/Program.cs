using Pets;

Console.WriteLine(CatsVsDogsFeatures.Summary());
Console.WriteLine(string.Join("x", CatsVsDogsFeatures.FeatureShape));
