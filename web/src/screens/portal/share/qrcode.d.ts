/** The part of `qrcode` (no bundled types) the share screen uses: an SVG text of a QR code. */
declare module 'qrcode' {
  const QRCode: { toString(text: string, options: { type: 'svg'; errorCorrectionLevel?: 'L' | 'M' | 'Q' | 'H'; margin?: number }): Promise<string> };
  export default QRCode;
}
