using MLOpsGate.Cli;

return MLOpsGateCommandLine.Run(args, Console.Out, Console.Error);
