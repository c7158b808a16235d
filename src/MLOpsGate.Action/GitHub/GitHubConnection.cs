using Octokit;
using Octokit.Internal;

namespace MLOpsGate.Action.GitHub;

internal static class GitHubConnection
{
    /// <summary>
    /// A client on GITHUB_API_URL exactly as given (GitHub Enterprise Server included): the plain constructor would
    /// rewrite any host other than github.com to `/api/v3/`, and without the trailing slash the last path segment is lost.
    /// </summary>
    public static IGitHubClient Create(ActionSettings settings)
    {
        var baseAddress = new Uri(settings.ApiUrl.TrimEnd('/') + "/");
        var connection = new Connection(
            new ProductHeaderValue("mlopsgate", Core.Checks.Gate.Tool.Version),
            baseAddress,
            new InMemoryCredentialStore(new Credentials(settings.Token)));
        var client = new GitHubClient(connection);
        client.SetRequestTimeout(TimeSpan.FromSeconds(30));
        return client;
    }
}
