namespace Intercom.Sip.Dialogs;

/// <summary>RFC 3261 §12: a dialog is early after a provisional response with a To-tag and confirmed after a 2xx.</summary>
public enum DialogState
{
    Early,
    Confirmed,
    Terminated,
}
