// Billing interop (issue 20, "Proven by"): stripe-node signs the webhooks kyozo-server must
// accept, stripe-node's own constructEvent checks what Kyozo signs, and the npm `jose`
// package verifies Kyozo's licence from the published keys, so the licence is standard JWS.
// Input (JSON on stdin): {url, token, secret, ourPayload, ourHeader}. Output: one JSON line
// with what was seen; exit 1 with the reason on stderr on the first mismatch.
import Stripe from 'stripe';
import * as jose from 'jose';

const input = JSON.parse(await new Promise((resolve) => {
    let data = '';
    process.stdin.on('data', (c) => (data += c));
    process.stdin.on('end', () => resolve(data));
}));
const stripe = new Stripe('sk_test_not_a_real_key');
const fail = (why) => { console.error(why); process.exit(1); };
const api = async (path, init = {}) => {
    const r = await fetch(input.url + path, init);
    return { status: r.status, body: await r.json() };
};
const bearer = { headers: { Authorization: `Bearer ${input.token}` } };

// 1. stripe-node accepts what Kyozo signed, and refuses it changed.
const event = stripe.webhooks.constructEvent(input.ourPayload, input.ourHeader, input.secret);
if (event.id !== 'evt_from_kyozo') fail(`constructEvent gave ${event.id}`);
try {
    stripe.webhooks.constructEvent(input.ourPayload.replace('kyozo', 'other'), input.ourHeader, input.secret);
    fail('constructEvent accepted a changed payload');
} catch (e) {
    if (!(e instanceof Stripe.errors.StripeSignatureVerificationError)) throw e;
}

// 2. Kyozo accepts what stripe-node signs.
const status0 = await api('/api/v1/billing/subscription/status', bearer);
const userId = status0.body.user_id;
const now = Math.floor(Date.now() / 1000);
const end = now + 30 * 86400;
const send = async (payload, secret = input.secret) => {
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: now });
    return api('/api/v1/billing/webhooks/stripe', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json; charset=utf-8', 'Stripe-Signature': header },
        body: payload,
    });
};
const events = [
    { id: 'evt_cs', type: 'checkout.session.completed', object: {
        id: 'cs_1', object: 'checkout.session', mode: 'subscription', subscription: 'sub_n',
        customer: 'cus_n', client_reference_id: userId, payment_status: 'paid',
        metadata: { plan_code: 'pro' } } },
    { id: 'evt_sub', type: 'customer.subscription.created', object: {
        id: 'sub_n', object: 'subscription', customer: 'cus_n', status: 'active',
        cancel_at_period_end: false,
        items: { data: [{ current_period_end: end, price: { id: 'price_x', unit_amount: 1500, currency: 'jpy' } }] } } },
];
const outcomes = [];
for (const e of events) {
    const payload = JSON.stringify({ id: e.id, object: 'event', type: e.type, created: now,
                                     livemode: false, data: { object: e.object } });
    const r = await send(payload);
    if (r.status !== 200) fail(`${e.type}: ${r.status} ${JSON.stringify(r.body)}`);
    outcomes.push(r.body.outcome);
}
const wrong = await send(JSON.stringify({ id: 'evt_w', object: 'event', type: 'invoice.paid',
                                          created: now, data: { object: { id: 'in_w' } } }),
                         'whsec_wrong');
if (wrong.status !== 400) fail(`a wrong secret got ${wrong.status}`);

// 3. jose verifies the licence from the published JWKS, and each key's kid is its thumbprint.
const keys = (await api('/api/v1/billing/keys', bearer)).body;
for (const jwk of keys.keys)
    if ((await jose.calculateJwkThumbprint(jwk)) !== jwk.kid) fail(`kid ${jwk.kid} is not the RFC 7638 thumbprint`);
const license = (await api('/api/v1/billing/license', bearer)).body;
const { payload, protectedHeader } = await jose.jwtVerify(
    license.license, jose.createLocalJWKSet(keys), { algorithms: ['EdDSA'], issuer: 'kyozo' });
const status1 = (await api('/api/v1/billing/subscription/status', bearer)).body;
console.log(JSON.stringify({ outcomes, alg: protectedHeader.alg, sub: payload.sub, userId,
                             plan: payload.plan, exp: payload.exp, end, status: status1 }));
