using Intercom;

return await IntercomCli.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);

// ASP.NET Core (the web page) would make the top-level Program public; the benchmarks define their own Program.
internal sealed partial class Program;
