namespace Intercom.Web;

/// <summary>One relay on the status page.</summary>
/// <param name="Id">The relay's id ("door", "gate", "light").</param>
/// <param name="Energised">True while it is energised.</param>
public sealed record RelayView(string Id, bool Energised);
