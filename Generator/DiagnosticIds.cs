namespace LayerDsl.Generator;

/// <summary>Every diagnostic ID, in order. IDs are never reused.</summary>
internal static class DiagnosticIds
{
    public const string ModelNotPartial = "LDSL0001";
    public const string ModelIsGeneric = "LDSL0002";
    public const string ContainingTypeNotPartial = "LDSL0003";
    public const string UnsupportedModelKind = "LDSL0004";
    public const string ModelHasBaseType = "LDSL0005";
    public const string MissingInput = "LDSL0006";
    public const string DuplicateInput = "LDSL0007";
    public const string LayersSplitAcrossDeclarations = "LDSL0008";
    public const string MemberCollision = "LDSL0009";
    public const string InvalidArgument = "LDSL0010";
    public const string WindowLargerThanInput = "LDSL0011";
    public const string WrongInputRank = "LDSL0012";
    public const string DenseInFeaturesMismatch = "LDSL0013";
    public const string SizeOverflow = "LDSL0014";
    public const string NoLayers = "LDSL0015";
    public const string InternalError = "LDSL0016";
    public const string ConstructorDoesNotChain = "LDSL0017";
    public const string UnknownLayerAttribute = "LDSL0018";
    public const string InputNotFirst = "LDSL0019";
    public const string ConvolutionArgumentsLookSwapped = "LDSL0020";
    public const string NotABlock = "LDSL0021";
    public const string BlockCycle = "LDSL0022";
    public const string BlockHasErrors = "LDSL0023";
    public const string ResidualShapeMismatch = "LDSL0024";
    public const string BranchShapeMismatch = "LDSL0025";
    public const string BlockWithInput = "LDSL0026";
    public const string ReshapeSizeMismatch = "LDSL0027";
    public const string ChannelsNotDivisibleByGroups = "LDSL0028";
    public const string BlockFromAnotherAssembly = "LDSL0029";
    public const string MalformedContract = "LDSL0030";
    public const string UnknownContractName = "LDSL0031";
    public const string ContractRankMismatch = "LDSL0032";
    public const string ContractFails = "LDSL0033";
    public const string ContractArguments = "LDSL0034";
    public const string NotAContractLayer = "LDSL0035";
}
