using System.Text.Json;

namespace Intercom.Web.Tests;

internal static class Json
{
    public static JsonElement Parse(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
