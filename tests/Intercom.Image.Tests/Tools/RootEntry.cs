namespace Intercom.Image.Tests.Tools;

/// <summary>A file of the image's root file system as debugfs reports it (Mode: permission bits only).</summary>
public sealed record RootEntry(string Type, int Mode, int Uid, int Gid, long Size, string? LinkTarget);
