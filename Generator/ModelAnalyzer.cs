using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Layers;
using LayerDsl.Generator.Models;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace LayerDsl.Generator;

/// <summary>
/// Reports every LDSL diagnostic on real source locations, where editors show it, <c>#pragma</c> and
/// <c>.editorconfig</c> act on it and code fixes can change it. It runs the same <see cref="Parser"/> and
/// <see cref="ShapeInference"/> as <see cref="ModelGenerator"/>, which reports the same diagnostics only in builds where
/// analyzers do not run (see <see cref="ModelDiagnostics"/>), so each diagnostic appears once.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ModelAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Property of LDSL0013: the input features inference found, as a decimal number.</summary>
    public const string InferredFeaturesProperty = "InferredFeatures";

    /// <summary>Property of LDSL0011, present (value <c>true</c>) when <c>Padding = Padding.Same</c> makes the layer's shape valid.</summary>
    public const string PaddingSameFixesProperty = "PaddingSameFixes";

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = DiagnosticDescriptors.All.ToImmutableArray();

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        // The generated half of a model carries [GeneratedCode], which makes the whole class count as generated code;
        // the diagnostics themselves are always on the user's attributes or class name.
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.Analyze | GeneratedCodeAnalysisFlags.ReportDiagnostics);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            if (start.Compilation.GetTypeByMetadataName(LayerKinds.InputAttribute) is not null)
            {
                start.RegisterSymbolAction(Analyze, SymbolKind.NamedType);
            }
        });
    }

    private static void Analyze(SymbolAnalysisContext context)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (!type.GetAttributes().Any(a => Parser.IsLayerDslAttribute(a) || a.AttributeClass?.ToDisplayString() == LayerKinds.BlockAttribute))
        {
            return;
        }

        try
        {
            if (Parser.MissingInput(type, context.CancellationToken) is { } missing)
            {
                Report(context, missing, null);
                return;
            }

            var parsed = Parser.Parse(type, context.CancellationToken);
            foreach (var info in ModelDiagnostics.Collect(parsed))
            {
                Report(context, info, Properties(info, parsed));
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.Get(DiagnosticIds.InternalError), type.Locations.FirstOrDefault(), type.Name, exception.Message));
        }
    }

    private static void Report(SymbolAnalysisContext context, DiagnosticInfo info, ImmutableDictionary<string, string?>? properties)
    {
        var diagnostic = ModelDiagnostics.ToDiagnostic(info, context.Compilation, properties);
        if (diagnostic.Location.IsInSource)
        {
            context.ReportDiagnostic(diagnostic);
        }
    }

    private static ImmutableDictionary<string, string?>? Properties(DiagnosticInfo info, ParsedModel parsed)
    {
        if (info.Id == DiagnosticIds.DenseInFeaturesMismatch)
        {
            // {2} of the message: "... but its input has {2} features".
            return ImmutableDictionary<string, string?>.Empty.Add(InferredFeaturesProperty, info.Arguments[2]);
        }

        if (info.Id == DiagnosticIds.WindowLargerThanInput && info.Site is { Kind: SiteKind.Layer } site && PaddingSameFixes(site.Index, parsed.Spec))
        {
            return ImmutableDictionary<string, string?>.Empty.Add(PaddingSameFixesProperty, "true");
        }

        return null;
    }

    /// <summary>
    /// Re-runs inference with the faulty layer set to <c>Padding.Same</c> (only convolutions have that option) and
    /// checks that the whole model then has no error.
    /// </summary>
    private static bool PaddingSameFixes(int index, ModelSpec model)
    {
        if (index < 0 || index >= model.Layers.Count)
        {
            return false;
        }

        LayerSpec? padded = model.Layers[index] switch
        {
            Conv2DLayer conv => conv with { Geometry = conv.Geometry with { Padding = 1, PadHeight = 0, PadWidth = 0 } },
            MaskedConvLayer masked => masked with { Padding = 1 },
            _ => null,
        };
        if (padded is null)
        {
            return false;
        }

        var layers = model.Layers.ToList();
        layers[index] = padded;
        var rerun = ShapeInference.Run(model with { Layers = layers.ToEquatableArray() });
        return rerun.Trace is not null;
    }
}
