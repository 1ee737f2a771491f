using Microsoft.AspNetCore.Http;

namespace Intercom.Web;

/// <summary>The page's three files, embedded in the binary and read once.</summary>
internal sealed class StaticAssets
{
    private readonly Dictionary<string, (byte[] Body, string Type)> _files = new(StringComparer.Ordinal);

    public StaticAssets()
    {
        Add("/", "index.html", "text/html; charset=utf-8");
        Add("/app.js", "app.js", "text/javascript; charset=utf-8");
        Add("/app.css", "app.css", "text/css; charset=utf-8");
    }

    /// <summary>Bytes of all files together (the page's budget is 100 KB).</summary>
    public int TotalBytes => _files.Values.Sum(f => f.Body.Length);

    public async Task ServeAsync(HttpContext context)
    {
        if (!_files.TryGetValue(context.Request.Path.Value ?? "/", out var file))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        context.Response.ContentType = file.Type;
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.ContentLength = file.Body.Length;
        if (HttpMethods.IsGet(context.Request.Method))
        {
            await context.Response.Body.WriteAsync(file.Body).ConfigureAwait(false);
        }
    }

    private void Add(string path, string resource, string type)
    {
        using var stream = typeof(StaticAssets).Assembly.GetManifestResourceStream("assets/" + resource)
            ?? throw new InvalidOperationException($"embedded asset {resource} is missing");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        _files[path] = (copy.ToArray(), type);
    }
}
