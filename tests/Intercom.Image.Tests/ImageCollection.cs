namespace Intercom.Image.Tests;

/// <summary>The tests that share one built image (it takes minutes to build).</summary>
[CollectionDefinition(Name)]
public sealed class ImageCollection : ICollectionFixture<BuiltImage>
{
    public const string Name = "image";
}
