using Intercom;

return await IntercomCli.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
