using System;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Layers;
using LayerDsl.Generator.Models;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace LayerDsl.Generator;

/// <summary>
/// Generates a TorchSharp module for every partial class marked with <c>[Input]</c> and layer attributes:
/// select (ForAttributeWithMetadataName) → parse (<see cref="Parser"/>) → infer (<see cref="ShapeInference"/>) →
/// emit (<see cref="Emitter"/>). Diagnostics travel on their own branch and are reported here only when analyzers do
/// not run in the build (see <see cref="ModelDiagnostics"/>); otherwise <see cref="ModelAnalyzer"/> reports them.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ModelGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(LayerKinds.InputAttribute, static (node, _) => node is TypeDeclarationSyntax, Parser.Parse)
            .Where(static model => model is not null)
            .Select(static (model, _) => model!)
            .WithTrackingName(TrackingNames.Parse);

        // Emission sees the position-free spec only: an edit that moves the model leaves everything below cached.
        var results = parsed
            .Select(static (model, _) => model.Spec)
            .WithTrackingName(TrackingNames.Spec)
            .Select(static (spec, _) => ShapeInference.Run(spec))
            .WithTrackingName(TrackingNames.Infer);
        context.RegisterSourceOutput(results, static (output, result) => Write(output, result));

        // Blocks: each is emitted for the input shapes at which the models place it (nested placements included).
        var blocks = context.SyntaxProvider
            .ForAttributeWithMetadataName(LayerKinds.BlockAttribute, static (node, _) => node is TypeDeclarationSyntax, Parser.ParseBlock)
            .Where(static block => block is not null)
            .Select(static (block, _) => block!)
            .WithTrackingName(TrackingNames.ParseBlock);
        var uses = results
            .Select(static (result, _) => BlockUses.Of(result))
            .Collect()
            .Select(static (all, _) => BlockUses.Merge(all))
            .WithTrackingName(TrackingNames.BlockUses);
        var blockResults = blocks
            .Select(static (block, _) => block.Spec)
            .Combine(uses)
            .Select(static (pair, _) => BlockUses.Variants(pair.Left, pair.Right))
            .WithTrackingName(TrackingNames.BlockVariants);
        context.RegisterSourceOutput(blockResults, static (output, result) => WriteBlock(output, result));

        var generatorReports = context.AnalyzerConfigOptionsProvider
            .Select(static (options, _) => ModelDiagnostics.GeneratorReports(options.GlobalOptions))
            .WithTrackingName(TrackingNames.Reporting);

        foreach (var declarations in new[] { parsed, blocks })
        {
            var diagnostics = declarations
                .Combine(generatorReports)
                .Select(static (pair, _) => pair.Right ? ModelDiagnostics.Collect(pair.Left) : EquatableArray<DiagnosticInfo>.Empty)
                .Where(static found => found.Count > 0)
                .WithTrackingName(TrackingNames.Diagnostics);
            context.RegisterSourceOutput(diagnostics.Combine(context.CompilationProvider), static (output, pair) => Report(output, pair.Left, pair.Right));
        }

        // A module's own [LayerShape]: a contract that cannot be read, located inside the string.
        var contracts = context.SyntaxProvider
            .ForAttributeWithMetadataName(UserLayerReader.LayerShapeAttribute, static (node, _) => node is TypeDeclarationSyntax, static (syntax, cancellationToken) =>
                syntax.TargetSymbol is INamedTypeSymbol type ? UserLayerReader.ContractDiagnostics(type, cancellationToken).ToEquatableArray() : EquatableArray<DiagnosticInfo>.Empty)
            .Where(static found => found.Count > 0)
            .WithTrackingName(TrackingNames.Contracts)
            .Combine(generatorReports)
            .Where(static pair => pair.Right)
            .Select(static (pair, _) => pair.Left);
        context.RegisterSourceOutput(contracts.Combine(context.CompilationProvider), static (output, pair) => Report(output, pair.Left, pair.Right));

        // A class with layer attributes and no [Input]: found syntactically first, so that on each edit the valid models
        // (which carry [Input]) cost nothing here.
        var missingInput = context.SyntaxProvider
            .CreateSyntaxProvider(static (node, _) => Parser.MayLackInput(node), Parser.ParseMissingInput)
            .Where(static diagnostic => diagnostic is not null)
            .Select(static (diagnostic, _) => new EquatableArray<DiagnosticInfo>(new[] { diagnostic! }))
            .WithTrackingName(TrackingNames.MissingInput)
            .Combine(generatorReports)
            .Where(static pair => pair.Right)
            .Select(static (pair, _) => pair.Left);
        context.RegisterSourceOutput(missingInput.Combine(context.CompilationProvider), static (output, pair) => Report(output, pair.Left, pair.Right));
    }

    private static void Report(SourceProductionContext output, EquatableArray<DiagnosticInfo> diagnostics, Compilation compilation)
    {
        foreach (var diagnostic in diagnostics)
        {
            output.ReportDiagnostic(ModelDiagnostics.ToDiagnostic(diagnostic, compilation));
        }
    }

    private static void WriteBlock(SourceProductionContext output, BlockResult result)
    {
        string? source;
        try
        {
            source = Emitter.EmitBlock(result.Block, result.Variants);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            output.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.Get(DiagnosticIds.InternalError), Location.None, result.Block.ClassName, exception.Message));
            return;
        }

        if (source is not null)
        {
            output.AddSource(Emitter.HintName(result.Block), SourceText.From(source, System.Text.Encoding.UTF8));
        }
    }

    private static void Write(SourceProductionContext output, ModelResult result)
    {
        string? source;
        try
        {
            source = Emitter.Emit(result);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // A bug of ours must not surface as a compiler crash warning with no location. Only the generator emits, so
            // only the generator can report this, in every build mode.
            output.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.Get(DiagnosticIds.InternalError), Location.None, result.Model.ClassName, exception.Message));
            return;
        }

        if (source is not null)
        {
            output.AddSource(Emitter.HintName(result.Model), SourceText.From(source, System.Text.Encoding.UTF8));
        }
    }
}
