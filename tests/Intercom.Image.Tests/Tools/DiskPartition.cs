namespace Intercom.Image.Tests.Tools;

/// <summary>A partition of an image's MBR table; start and size in 512-byte sectors, type as sfdisk writes it.</summary>
public sealed record DiskPartition(long Start, long Size, string Type, bool Bootable);
