namespace Intercom.Image.Tests.Tools;

/// <summary>How a program ended and what it printed.</summary>
public sealed record CommandResult(int ExitCode, string StandardOutput, string StandardError, TimeSpan Elapsed);
