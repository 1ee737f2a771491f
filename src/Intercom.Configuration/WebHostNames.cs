namespace Intercom.Configuration;

/// <summary>DNS names as the web page's Host check compares them (RFC 1123 §2.1 host names, RFC 1035 §2.3.4 lengths).</summary>
public static class WebHostNames
{
    /// <summary>The most names <see cref="WebConfig.AllowedHosts"/> may list.</summary>
    public const int MaxAllowed = 32;

    /// <summary>
    /// A host name without port or scheme: dot-separated labels of letters, digits and hyphens (not at a label's ends),
    /// 1–63 characters each, 253 in all; one trailing dot (the root) is allowed.
    /// </summary>
    public static bool IsValid(ReadOnlySpan<char> name)
    {
        if (name.EndsWith("."))
        {
            name = name[..^1];
        }

        if (name.IsEmpty || name.Length > 253)
        {
            return false;
        }

        foreach (var range in name.Split('.'))
        {
            var label = name[range];
            if (label.IsEmpty || label.Length > 63 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            foreach (var c in label)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c != '-')
                {
                    return false;
                }
            }
        }

        return true;
    }
}
