using Intercom.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intercom.Tests.Hosting;

/// <summary>RFC 5626 §4.1: the station's instance id is a urn:uuid that survives restarts and differs between stations.</summary>
public sealed class SipInstanceIdTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-instance-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Created_once_in_the_state_directory_and_the_same_at_the_next_start()
    {
        var first = SipInstanceId.Load(_dir, NullLogger.Instance);
        var second = SipInstanceId.Load(_dir, NullLogger.Instance);

        Assert.NotNull(first);
        Assert.Matches("^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", first);
        Assert.Equal(first, second);
        Assert.Equal(first, File.ReadAllText(Path.Combine(_dir, SipInstanceId.FileName)).Trim());
    }

    [Fact]
    public void Two_stations_get_two_ids()
    {
        var other = Directory.CreateDirectory(Path.Combine(_dir, "other")).FullName;
        Assert.NotEqual(SipInstanceId.Load(_dir, NullLogger.Instance), SipInstanceId.Load(other, NullLogger.Instance));
    }

    [Fact]
    public void Where_the_directory_cannot_be_written_the_machine_id_names_the_station()
    {
        var machineId = Path.Combine(_dir, "machine-id");
        File.WriteAllText(machineId, "0123456789abcdef0123456789abcdef\n");
        var missing = Path.Combine(_dir, "no", "such", "directory");

        var id = SipInstanceId.Load(missing, NullLogger.Instance, machineId);

        Assert.Equal(SipInstanceId.FromMachineId(machineId), id);
        Assert.Matches("^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", id);
        // machine-id(5): the machine id itself is not exposed.
        Assert.DoesNotContain("0123456789abcdef", id!.Replace("-", "", StringComparison.Ordinal), StringComparison.Ordinal);
        File.WriteAllText(machineId, "fedcba9876543210fedcba9876543210\n");
        Assert.NotEqual(id, SipInstanceId.FromMachineId(machineId));
    }

    [Fact]
    public void Without_either_no_instance_id()
    {
        Assert.Null(SipInstanceId.Load(null, NullLogger.Instance, Path.Combine(_dir, "absent")));
    }
}
