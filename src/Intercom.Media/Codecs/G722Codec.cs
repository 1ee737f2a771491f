namespace Intercom.Media.Codecs;

/// <summary>
/// ITU-T G.722 sub-band ADPCM at 64 kbit/s (mode 1): a 24-tap QMF splits 16 kHz PCM into a lower band coded with 6-bit
/// ADPCM and a higher band coded with 2-bit ADPCM, one byte per two input samples. One instance holds the state of one
/// direction (encode or decode); the arithmetic follows the standard's fixed-point blocks 1–6 so that it interoperates
/// bit-exactly with other implementations. Allocation-free.
/// </summary>
internal sealed class G722Codec
{
    private static readonly int[] QmfCoefficients = [3, -11, 12, 32, -210, 951, 3876, -805, 362, -156, 53, -11];
    private static readonly int[] Q6 = [0, 35, 72, 110, 150, 190, 233, 276, 323, 370, 422, 473, 530, 587, 650, 714, 786, 858, 940, 1023, 1121, 1219, 1339, 1458, 1612, 1765, 1980, 2195, 2557, 2919, 0, 0];
    private static readonly int[] Iln = [0, 63, 62, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 0];
    private static readonly int[] Ilp = [0, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32, 0];
    private static readonly int[] Wl = [-60, -30, 58, 172, 334, 538, 1198, 3042];
    private static readonly int[] Rl42 = [0, 7, 6, 5, 4, 3, 2, 1, 7, 6, 5, 4, 3, 2, 1, 0];
    private static readonly int[] Ilb = [2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383, 2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834, 2896, 2960, 3025, 3091, 3158, 3228, 3298, 3371, 3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008];
    private static readonly int[] Qm4 = [0, -20456, -12896, -8968, -6288, -4240, -2584, -1200, 20456, 12896, 8968, 6288, 4240, 2584, 1200, 0];
    private static readonly int[] Qm6 =
    [
        -136, -136, -136, -136, -24808, -21904, -19008, -16704, -14984, -13512, -12280, -11192, -10232, -9360, -8576, -7856,
        -7192, -6576, -6000, -5456, -4944, -4464, -4008, -3576, -3168, -2776, -2400, -2032, -1688, -1360, -1040, -728,
        24808, 21904, 19008, 16704, 14984, 13512, 12280, 11192, 10232, 9360, 8576, 7856, 7192, 6576, 6000, 5456,
        4944, 4464, 4008, 3576, 3168, 2776, 2400, 2032, 1688, 1360, 1040, 728, 432, 136, -432, -136,
    ];
    private static readonly int[] Qm2 = [-7408, -1616, 7408, 1616];
    private static readonly int[] Ihn = [0, 1, 0];
    private static readonly int[] Ihp = [0, 3, 2];
    private static readonly int[] Wh = [0, -214, 798];
    private static readonly int[] Rh2 = [2, 1, 2, 1];

    private readonly Band _low = new(32);
    private readonly Band _high = new(8);
    private readonly int[] _x = new int[24];

    /// <summary>Encodes pairs of 16 kHz samples; returns the bytes written (half the samples).</summary>
    public int Encode(ReadOnlySpan<short> pcm, Span<byte> output)
    {
        int count = pcm.Length / 2;
        for (int n = 0; n < count; n++)
        {
            // Block 1L/1H: transmit QMF.
            Array.Copy(_x, 2, _x, 0, 22);
            _x[22] = pcm[2 * n];
            _x[23] = pcm[(2 * n) + 1];
            int sumOdd = 0;
            int sumEven = 0;
            for (int i = 0; i < 12; i++)
            {
                sumOdd += _x[2 * i] * QmfCoefficients[i];
                sumEven += _x[(2 * i) + 1] * QmfCoefficients[11 - i];
            }

            int xLow = (sumEven + sumOdd) >> 14;
            int xHigh = (sumEven - sumOdd) >> 14;

            // Block 1L: lower sub-band quantiser (6 bits).
            int el = Saturate(xLow - _low.S);
            int wd = el >= 0 ? el : -(el + 1);
            int i6 = 1;
            for (; i6 < 30; i6++)
            {
                if (wd < (Q6[i6] * _low.Det) >> 12)
                {
                    break;
                }
            }

            int iLow = el < 0 ? Iln[i6] : Ilp[i6];
            UpdateLow(iLow >> 2);

            // Block 1H: higher sub-band quantiser (2 bits).
            int eh = Saturate(xHigh - _high.S);
            wd = eh >= 0 ? eh : -(eh + 1);
            int mih = wd >= (564 * _high.Det) >> 12 ? 2 : 1;
            int iHigh = eh < 0 ? Ihn[mih] : Ihp[mih];
            UpdateHigh(iHigh);
            output[n] = (byte)((iHigh << 6) | iLow);
        }

        return count;
    }

    /// <summary>Decodes bytes to 16 kHz samples; returns the samples written (twice the bytes).</summary>
    public int Decode(ReadOnlySpan<byte> input, Span<short> pcm)
    {
        int count = Math.Min(input.Length, pcm.Length / 2);
        for (int n = 0; n < count; n++)
        {
            int code = input[n];
            int iLow = code & 0x3F;
            int iHigh = (code >> 6) & 0x03;

            // Block 5L: the 6-bit inverse quantiser reconstructs the lower band; block 6L limits it.
            int rLow = Math.Clamp(_low.S + ((_low.Det * Qm6[iLow]) >> 15), -16384, 16383);
            UpdateLow(iLow >> 2);

            int dHigh = (_high.Det * Qm2[iHigh]) >> 15;
            int rHigh = Math.Clamp(dHigh + _high.S, -16384, 16383);
            UpdateHigh(iHigh);

            // Receive QMF.
            Array.Copy(_x, 2, _x, 0, 22);
            _x[22] = rLow + rHigh;
            _x[23] = rLow - rHigh;
            int out1 = 0;
            int out2 = 0;
            for (int i = 0; i < 12; i++)
            {
                out2 += _x[2 * i] * QmfCoefficients[i];
                out1 += _x[(2 * i) + 1] * QmfCoefficients[11 - i];
            }

            pcm[2 * n] = (short)Saturate(out1 >> 11);
            pcm[(2 * n) + 1] = (short)Saturate(out2 >> 11);
        }

        return 2 * count;
    }

    /// <summary>Back to the initial state.</summary>
    public void Reset()
    {
        _low.Reset(32);
        _high.Reset(8);
        Array.Clear(_x);
    }

    private void UpdateLow(int ril)
    {
        // Block 2L: 4-bit inverse quantiser for the predictor; block 3L: log scale factor and its linear value.
        int dLow = (_low.Det * Qm4[ril]) >> 15;
        int nb = ((_low.Nb * 127) >> 7) + Wl[Rl42[ril]];
        _low.Nb = Math.Clamp(nb, 0, 18432);
        _low.Det = ScaleFactor(_low.Nb, 8);
        _low.Adapt(dLow);
    }

    private void UpdateHigh(int iHigh)
    {
        // Blocks 2H and 3H.
        int dHigh = (_high.Det * Qm2[iHigh]) >> 15;
        int nb = ((_high.Nb * 127) >> 7) + Wh[Rh2[iHigh]];
        _high.Nb = Math.Clamp(nb, 0, 22528);
        _high.Det = ScaleFactor(_high.Nb, 10);
        _high.Adapt(dHigh);
    }

    private static int ScaleFactor(int nb, int shift)
    {
        int wd1 = (nb >> 6) & 31;
        int wd2 = shift - (nb >> 11);
        int wd3 = wd2 < 0 ? Ilb[wd1] << -wd2 : Ilb[wd1] >> wd2;
        return wd3 << 2;
    }

    private static int Saturate(int value) => Math.Clamp(value, short.MinValue, short.MaxValue);

    /// <summary>The adaptive predictor of one sub-band (block 4: two poles, six zeros).</summary>
    private sealed class Band
    {
        private readonly int[] _r = new int[3];
        private readonly int[] _a = new int[3];
        private readonly int[] _ap = new int[3];
        private readonly int[] _p = new int[3];
        private readonly int[] _d = new int[7];
        private readonly int[] _b = new int[7];
        private readonly int[] _bp = new int[7];
        private readonly int[] _sg = new int[7];
        private int _sp;
        private int _sz;

        public Band(int det) => Reset(det);

        public int S { get; private set; }

        public int Nb { get; set; }

        public int Det { get; set; }

        public void Reset(int det)
        {
            Array.Clear(_r);
            Array.Clear(_a);
            Array.Clear(_ap);
            Array.Clear(_p);
            Array.Clear(_d);
            Array.Clear(_b);
            Array.Clear(_bp);
            Array.Clear(_sg);
            _sp = 0;
            _sz = 0;
            S = 0;
            Nb = 0;
            Det = det;
        }

        public void Adapt(int d)
        {
            // RECONS and PARREC.
            _d[0] = d;
            _r[0] = Saturate(S + d);
            _p[0] = Saturate(_sz + d);

            // UPPOL2.
            for (int i = 0; i < 3; i++)
            {
                _sg[i] = _p[i] >> 15;
            }

            int wd1 = Saturate(_a[1] << 2);
            int wd2 = _sg[0] == _sg[1] ? -wd1 : wd1;
            wd2 = Math.Min(wd2, 32767);
            int wd3 = (wd2 >> 7) + (_sg[0] == _sg[2] ? 128 : -128);
            wd3 += (_a[2] * 32512) >> 15;
            _ap[2] = Math.Clamp(wd3, -12288, 12288);

            // UPPOL1.
            _sg[0] = _p[0] >> 15;
            _sg[1] = _p[1] >> 15;
            wd1 = _sg[0] == _sg[1] ? 192 : -192;
            wd2 = (_a[1] * 32640) >> 15;
            _ap[1] = Saturate(wd1 + wd2);
            wd3 = Saturate(15360 - _ap[2]);
            _ap[1] = Math.Clamp(_ap[1], -wd3, wd3);

            // UPZERO.
            wd1 = d == 0 ? 0 : 128;
            _sg[0] = d >> 15;
            for (int i = 1; i < 7; i++)
            {
                _sg[i] = _d[i] >> 15;
                wd2 = _sg[i] == _sg[0] ? wd1 : -wd1;
                wd3 = (_b[i] * 32640) >> 15;
                _bp[i] = Saturate(wd2 + wd3);
            }

            // DELAYA.
            for (int i = 6; i > 0; i--)
            {
                _d[i] = _d[i - 1];
                _b[i] = _bp[i];
            }

            for (int i = 2; i > 0; i--)
            {
                _r[i] = _r[i - 1];
                _p[i] = _p[i - 1];
                _a[i] = _ap[i];
            }

            // FILTEP, FILTEZ, PREDIC.
            wd1 = Saturate(_r[1] + _r[1]);
            wd1 = (_a[1] * wd1) >> 15;
            wd2 = Saturate(_r[2] + _r[2]);
            wd2 = (_a[2] * wd2) >> 15;
            _sp = Saturate(wd1 + wd2);
            _sz = 0;
            for (int i = 6; i > 0; i--)
            {
                wd1 = Saturate(_d[i] + _d[i]);
                _sz += (_b[i] * wd1) >> 15;
            }

            _sz = Saturate(_sz);
            S = Saturate(_sp + _sz);
        }
    }
}
