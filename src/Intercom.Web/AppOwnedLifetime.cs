using Microsoft.Extensions.Hosting;

namespace Intercom.Web;

/// <summary>
/// Replaces the host's console lifetime: SIGTERM and Ctrl+C belong to the app, which unregisters and releases the relays
/// before it stops the web server, instead of the web host stopping on its own.
/// </summary>
internal sealed class AppOwnedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
