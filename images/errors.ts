// Errors the image commands report as one line (exit 1), never with a stack trace.
import { UserError } from "../clusters/model/errors";

export { fsReason } from "../clusters/model/safe-files";

export class ImageError extends UserError {
  override name = "ImageError";
}

/** A connection that could not be made or broke off; `reason` is networkReason()'s phrase. */
export class NetworkError extends ImageError {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`cannot reach ${url}: ${reason}`);
  }
}

/** Why a connection failed, as an operator would phrase it. */
export function networkReason(e: unknown): string {
  if (e instanceof NetworkError) return e.reason;
  const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
  const code = cause?.code ?? (e as NodeJS.ErrnoException)?.code;
  switch (code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "host not found";
    case "ETIMEDOUT":
    case "UND_ERR_CONNECT_TIMEOUT":
      return "timed out";
    case "ECONNRESET":
    case "EPIPE":
    case "UND_ERR_SOCKET":
      return "connection reset";
    case "ERR_STREAM_PREMATURE_CLOSE":
      return "connection closed early";
    case "DEPTH_ZERO_SELF_SIGNED_CERT":
    case "SELF_SIGNED_CERT_IN_CHAIN":
    case "UNABLE_TO_VERIFY_LEAF_SIGNATURE":
    case "UNABLE_TO_GET_ISSUER_CERT_LOCALLY":
      return `the server's TLS certificate is not trusted (${code}; set cacert in clouds.yaml or OS_CACERT)`;
    default:
      return cause?.message ?? (e as Error)?.message ?? String(e);
  }
}
