using Intercom.Station.Configuration;
using System.Globalization;

namespace Intercom.Station.Tests;

/// <summary>The wiring guide's pin table (hardware/README.md) and <see cref="DefaultPinMap"/> are the same map.</summary>
public sealed class PinMapGuideTests
{
    private static string GuidePath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "hardware", "README.md");
            if (File.Exists(Path.Combine(dir.FullName, "Intercom.sln")) && File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("hardware/README.md not found above " + AppContext.BaseDirectory);
    }

    private static List<(string Function, int Bcm, int Physical)> GuideTable()
    {
        var lines = File.ReadAllLines(GuidePath());
        var start = Array.IndexOf(lines, "<!-- pinmap:start -->");
        var end = Array.IndexOf(lines, "<!-- pinmap:end -->");
        Assert.True(start >= 0 && end > start, "pin table markers missing in hardware/README.md");

        var rows = new List<(string, int, int)>();
        foreach (var line in lines[(start + 1)..end])
        {
            var cells = line.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();
            if (cells.Length < 3 || !int.TryParse(cells[1], NumberStyles.None, CultureInfo.InvariantCulture, out var bcm))
            {
                continue; // header and separator rows
            }

            rows.Add((cells[0], bcm, int.Parse(cells[2], NumberStyles.None, CultureInfo.InvariantCulture)));
        }

        return rows;
    }

    [Fact]
    public void Guide_table_lists_the_default_pin_map_in_order()
    {
        var table = GuideTable();

        Assert.Equal(DefaultPinMap.Entries.Select(e => (e.Key, e.Value)), table.Select(r => (r.Function, r.Bcm)));
    }

    [Fact]
    public void Guide_physical_pins_match_the_header()
    {
        foreach (var (function, bcm, physical) in GuideTable())
        {
            Assert.True(DefaultPinMap.PhysicalPin(bcm) == physical, $"{function}: BCM {bcm} is header pin {DefaultPinMap.PhysicalPin(bcm)}, the guide says {physical}");
        }
    }

    [Fact]
    public void No_pin_is_used_twice_and_none_is_reserved()
    {
        var pins = DefaultPinMap.Entries.Select(e => e.Value).ToList();

        Assert.Equal(pins.Count, pins.Distinct().Count());
        Assert.DoesNotContain(pins, p => p is 0 or 1 or 14 or 15 or (>= 18 and <= 21));
    }

    [Fact]
    public void Default_configuration_uses_the_default_pin_map()
    {
        var config = new StationConfig { Board = { Keypad = new KeypadWiringConfig() } };
        var layout = BoardLayoutBuilder.Build(config);
        var used = layout.Inputs.Select(i => i.Pin)
            .Concat(layout.Relays.Select(r => r.Pin))
            .Concat(layout.Leds.Select(l => l.Pin))
            .Concat(layout.Keypad!.Rows)
            .Concat(layout.Keypad.Columns)
            .Order();

        Assert.Equal(DefaultPinMap.Entries.Select(e => e.Value).Order(), used);
    }
}
