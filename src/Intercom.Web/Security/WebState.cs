namespace Intercom.Web.Security;

/// <summary>The web layer's own state file (web-state.json beside the configuration, mode 0600).</summary>
internal sealed class WebState
{
    /// <summary>Null until the installer sets the password on first start: there is no default password.</summary>
    public PasswordHash? Admin { get; set; }

    public List<StoredToken> Tokens { get; set; } = [];
}
