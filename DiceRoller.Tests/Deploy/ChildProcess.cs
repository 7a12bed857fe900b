using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DiceRoller.Tests.Deploy;

/// <summary>A real program the deploy tests start (nginx, openssl, the published app), its output kept for assertions and failure messages.</summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _gate = new();

    private ChildProcess(Process process) => _process = process;

    public event Action<string>? Line;

    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public int Id => _process.Id;

    /// <summary>Starts <paramref name="file"/>; with <paramref name="cleanEnvironment"/> it sees only PATH and <paramref name="environment"/>, as in a container.</summary>
    public static ChildProcess Start(string file, IEnumerable<string> args, IDictionary<string, string?>? environment = null, string? workingDirectory = null,
        bool cleanEnvironment = false)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        if (cleanEnvironment)
        {
            var path = info.Environment["PATH"];
            info.Environment.Clear();
            info.Environment["PATH"] = path;
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => child.Append(e.Data);
        process.ErrorDataReceived += (_, e) => child.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Runs a program to its end and returns its exit code and output (fails the test after <paramref name="timeout"/>).</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> args, IDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        await using var child = Start(file, args, environment);
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await child._process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"{file} {string.Join(' ', args)} did not finish in time. Output:\n{child.Output}");
        }

        child._process.WaitForExit(); // flushes the output events
        return (child._process.ExitCode, child.Output);
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _output.AppendLine(line);
        }

        Line?.Invoke(line);
    }

    /// <summary>Sends SIGTERM (a graceful stop, as `docker stop` does) and waits for the exit.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // never started or already reaped
        }

        _process.Dispose();
    }

    /// <summary>A loopback TCP port nobody listens on right now.</summary>
    public static int FreePort() => FreePorts(1)[0];

    /// <summary>
    /// <paramref name="count"/> loopback TCP ports nobody listens on right now, all different: each is held until all are
    /// picked (ports picked one after another can repeat once the first is released).
    /// </summary>
    public static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            listeners.ForEach(l => l.Dispose());
        }
    }

    /// <summary>Waits until something accepts connections on <paramref name="port"/>, or fails with <paramref name="describe"/>'s output.</summary>
    public async Task WaitForPortAsync(int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                Assert.Fail($"{_process.StartInfo.FileName} exited with {_process.ExitCode} before listening on {port}. Output:\n{Output}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        Assert.Fail($"{_process.StartInfo.FileName} did not listen on {port} within {timeout}. Output:\n{Output}");
    }
}
