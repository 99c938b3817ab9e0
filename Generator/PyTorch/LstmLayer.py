# LstmLayer(D, units, returnSequences=False, bidirectional=False)
# The PyTorch twin of LayerDsl.Modules.LstmLayer ([LSTM(units)]): a batch-first nn.LSTM over [N, T, D] under the name
# lstm (state-dict keys lstm.weight_ih_l0, lstm.weight_hh_l0, lstm.bias_ih_l0, lstm.bias_hh_l0 and, bidirectional, the
# same with _reverse); every step's output [N, T, units * directions] with returnSequences, else the final hidden state
# [N, units * directions] (forward then backward).
class LstmLayer(nn.Module):
    """An LSTM over [N, T, D] returning every step's output or the final state."""

    def __init__(self, D, units, returnSequences=False, bidirectional=False):
        super().__init__()
        self.returnSequences = returnSequences
        self.lstm = nn.LSTM(D, units, bidirectional=bidirectional, batch_first=True)

    def forward(self, x):
        output, (hidden, _) = self.lstm(x)
        if self.returnSequences:
            return output
        # [directions, N, units] -> [N, directions * units]
        return hidden.permute(1, 0, 2).reshape(hidden.shape[1], -1)
