namespace DiceRoller.Fairness;

public static class FairnessEndpoints
{
    public static IEndpointRouteBuilder MapFairness(this IEndpointRouteBuilder app)
    {
        // The key that signs every roll's hash, for verifiers (docs/fairness.md).
        app.MapGet("/.well-known/diceroller-key", (IRollSigner signer) => Results.Json(new
        {
            algorithm = signer.Key.Algorithm,
            key_id = signer.Key.KeyId,
            public_key = signer.Key.PublicKey,
        }));
        return app;
    }
}
