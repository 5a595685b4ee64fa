/** The test provider's client registration. It accepts any client, so these only need to agree. */
export const TEST_CLIENT_ID = "palisade-test-client";
export const TEST_CLIENT_SECRET = "palisade-test-client-secret";
