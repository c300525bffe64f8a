// /chat/stream's newline-delimited JSON, read as it arrives, and what each event does to
// the message being written.

/** Call `onEvent` with each JSON line of `response`'s body as it arrives. */
export async function readLines(response, onEvent) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    buffer += decoder.decode(value || new Uint8Array(), { stream: !done });
    let newline;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (line) onEvent(JSON.parse(line));
    }
    if (done) break;
  }
  if (buffer.trim()) onEvent(JSON.parse(buffer));
}

/**
 * Apply one event to `msg`; returns the text to append for a delta, "whole" when the message
 * is to be drawn again (context, completion, follow-ups, error), or "" for nothing.
 */
export function applyEvent(msg, event) {
  if (event.error) { msg.error = event.error; return "whole"; }
  switch (event.type) {
    case "response.context":
      msg.dataPoints = event.context.data_points;
      msg.thoughts = event.context.thoughts;
      return "";
    case "response.output_text.delta":
      msg.content += event.delta;
      return event.delta;
    case "response.followups":
      msg.followups = event.followup_questions;
      return "whole";
    case "response.completed":
      msg.content = event.output_text;
      msg.parts = event.context.answer_parts;
      msg.dataPoints = event.context.data_points;
      msg.thoughts = event.context.thoughts;
      msg.followups = event.context.followup_questions;
      return "whole";
    default:
      return "";
  }
}
