// Apple's own verifier as the oracle (issue 20, "Proven by"): app-store-server-library's
// SignedDataVerifier, given the test root, judges the notifications Kyozo's tests signed.
// Input (JSON on stdin): {root: base64 DER, bundleId, cases: [{name, signedPayload}]}.
// Output: one JSON line {name: "ok" | VerificationStatus name} per case.
import { SignedDataVerifier, Environment, VerificationException, VerificationStatus }
    from '@apple/app-store-server-library';

const input = JSON.parse(await new Promise((resolve) => {
    let data = '';
    process.stdin.on('data', (c) => (data += c));
    process.stdin.on('end', () => resolve(data));
}));
// enableOnlineChecks false: no OCSP (the test chain has no responder); dates are then
// checked at the data's signedDate, which the tests set to now.
const verifier = new SignedDataVerifier([Buffer.from(input.root, 'base64')], false,
                                        Environment.SANDBOX, input.bundleId);
const verdicts = {};
for (const c of input.cases) {
    try {
        const n = await verifier.verifyAndDecodeNotification(c.signedPayload);
        if (n.data && n.data.signedTransactionInfo)
            await verifier.verifyAndDecodeTransaction(n.data.signedTransactionInfo);
        if (n.data && n.data.signedRenewalInfo)
            await verifier.verifyAndDecodeRenewalInfo(n.data.signedRenewalInfo);
        verdicts[c.name] = 'ok';
    } catch (e) {
        if (!(e instanceof VerificationException)) throw e;
        verdicts[c.name] = VerificationStatus[e.status] ?? String(e.status);
    }
}
console.log(JSON.stringify(verdicts));
