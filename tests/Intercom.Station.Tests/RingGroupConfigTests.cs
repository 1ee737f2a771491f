using System.Reflection;
using Intercom.Station.Configuration;

namespace Intercom.Station.Tests;

public sealed class RingGroupConfigTests
{
    /// <summary>
    /// A dial request that names its account rings the configured group through that account: every other setting of
    /// the group (its fallback, its call limit, what the button does meanwhile) must come along, including any added
    /// later, or that call would silently ring with a default instead.
    /// </summary>
    [Fact]
    public void A_copy_for_another_account_keeps_every_other_setting_and_leaves_the_group_alone()
    {
        var group = new RingGroupConfig
        {
            Id = "residents",
            Account = "pbx",
            Targets = ["sip:flat1@pbx.example"],
            Mode = RingMode.Sequential,
            RingTimeoutSeconds = 17,
            Fallback = ["sip:concierge@pbx.example"],
            MaxCallSeconds = 61,
            ButtonDuringCall = ButtonInCallAction.HangUp,
        };

        RingGroupConfig copy = group.WithAccount("provider");

        Assert.Equal("provider", copy.Account);
        Assert.Equal("pbx", group.Account);
        PropertyInfo[] settings = typeof(RingGroupConfig).GetProperties(BindingFlags.Public | BindingFlags.Instance);
        foreach (PropertyInfo setting in settings.Where(p => p.Name != nameof(RingGroupConfig.Account)))
        {
            object? original = setting.GetValue(group);
            // Set away from its default above, so that a setting the copy forgets shows (a new one must be set here too).
            Assert.NotEqual(setting.GetValue(new RingGroupConfig()), original);
            Assert.Equal(original, setting.GetValue(copy));
        }
    }
}
