using System;
using LayerDsl.Generator.Layers;
using LayerDsl.Generator.Models;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace LayerDsl.Generator;

/// <summary>
/// Generates a TorchSharp module for every partial class marked with <c>[Input]</c> and layer attributes:
/// select (ForAttributeWithMetadataName) → parse (<see cref="Parser"/>) → infer (<see cref="ShapeInference"/>) →
/// emit (<see cref="Emitter"/>).
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ModelGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var models = context.SyntaxProvider
            .ForAttributeWithMetadataName(LayerKinds.InputAttribute, static (node, _) => node is TypeDeclarationSyntax, Parser.Parse)
            .Where(static model => model is not null)
            .Select(static (model, _) => model!)
            .WithTrackingName(TrackingNames.Parse);

        var results = models
            .Select(static (model, _) => ShapeInference.Run(model))
            .WithTrackingName(TrackingNames.Infer);

        context.RegisterSourceOutput(results, static (output, result) => Write(output, result));

        foreach (var attribute in LayerKinds.Parsers.Keys)
        {
            var missingInput = context.SyntaxProvider
                .ForAttributeWithMetadataName(attribute, static (node, _) => node is TypeDeclarationSyntax, Parser.ParseMissingInput)
                .Where(static diagnostic => diagnostic is not null)
                .Select(static (diagnostic, _) => diagnostic!)
                .WithTrackingName(TrackingNames.MissingInput);
            context.RegisterSourceOutput(missingInput, static (output, diagnostic) => output.ReportDiagnostic(diagnostic.ToDiagnostic()));
        }
    }

    private static void Write(SourceProductionContext output, ModelResult result)
    {
        foreach (var diagnostic in result.Diagnostics)
        {
            // ModelAnalyzer reports these on real source locations, where code fixes can act on them.
            if (!ModelAnalyzer.ReportedIds.Contains(diagnostic.Id))
            {
                output.ReportDiagnostic(diagnostic.ToDiagnostic());
            }
        }

        string? source;
        try
        {
            source = Emitter.Emit(result);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // A bug of ours must not surface as a compiler crash warning with no location.
            output.ReportDiagnostic(DiagnosticInfo.Create(
                DiagnosticIds.InternalError, result.Model.Input?.Location, result.Model.ClassName, exception.Message).ToDiagnostic());
            return;
        }

        if (source is not null)
        {
            output.AddSource(Emitter.HintName(result.Model), SourceText.From(source, System.Text.Encoding.UTF8));
        }
    }
}
