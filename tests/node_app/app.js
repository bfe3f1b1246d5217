// A user's app on the npm @deepgram/sdk (v4), pointed at the audit URL by its URL option.
const { createClient, LiveTranscriptionEvents } = require("@deepgram/sdk");
const behaviour = process.argv[2] || "good";
const url = process.env.WSDOCTOR_AUDIT_URL;
const deepgram = createClient("node-app-key-0123456789", { global: { websocket: { options: { url } } } });
const live = deepgram.listen.live({ model: "nova-3", encoding: "linear16", sample_rate: 16000 });
live.on(LiveTranscriptionEvents.Open, () => {
  for (let i = 0; i < 5; i++) live.send(Buffer.alloc(3200, 1));
  if (behaviour === "good") live.requestClose();
  else setTimeout(() => process.exit(0), 300);
});
live.on(LiveTranscriptionEvents.Close, () => process.exit(0));
live.on(LiveTranscriptionEvents.Error, (e) => { console.error("error", e.message || e); process.exit(3); });
