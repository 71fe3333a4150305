/**
 * Always on screen (docs/architecture.md, "The ceremony, end to end"; docs/security.md): the app's
 * build hash as PGP words (the room compares it with the published value), the air-gap status —
 * loud when any non-loopback interface is up — the session mode, and the projector switch.
 */
import type { SessionMode } from '../../src/core/protocol/bodies.js';
import { spokenOf } from '../../src/core/protocol/words.js';
import type { AppInfo, NetworkInfo } from '../bridge/api.js';

export interface HeaderProps {
  readonly info: AppInfo | undefined;
  readonly infoError: string | undefined;
  readonly network: NetworkInfo | undefined;
  readonly networkError: string | undefined;
  readonly mode: SessionMode | undefined;
  readonly projector: boolean;
  readonly onProjector: (on: boolean) => void;
  readonly onHome: () => void;
}

function NetworkBanner({ network, error }: { network: NetworkInfo | undefined; error: string | undefined }) {
  if (error) {
    return (
      <div className="kw-net kw-net-alarm" role="alert" data-testid="network-status">
        <strong>AIR-GAP STATUS UNKNOWN.</strong> {error} Check by hand that every network cable is unplugged and Wi-Fi
        and Bluetooth are off.
      </div>
    );
  }
  if (!network)
    return (
      <div className="kw-net" data-testid="network-status">
        Checking network interfaces…
      </div>
    );
  if (!network.warning) {
    return (
      <div className="kw-net kw-net-ok" data-testid="network-status">
        Air-gapped: no network interface is up (loopback only).
      </div>
    );
  }
  const up = network.interfaces.filter((i) => i.up && i.name !== 'lo');
  return (
    <div className="kw-net kw-net-alarm" role="alert" data-testid="network-status">
      <strong>NOT AIR-GAPPED: a network interface is up</strong> (
      {up.map((i) => `${i.name}${i.addresses.length ? ` ${i.addresses.join(', ')}` : ''}`).join('; ') ||
        'see system settings'}
      ). Unplug the network cable and switch off Wi-Fi and Bluetooth before a production ceremony.
    </div>
  );
}

export function Header({ info, infoError, network, networkError, mode, projector, onProjector, onHome }: HeaderProps) {
  return (
    <header className="kw-header">
      <div className="kw-header-row">
        <button type="button" className="kw-brand" onClick={onHome} aria-label="Keywitness: back to the start screen">
          Keywitness
        </button>
        <div className="kw-build" data-testid="build-hash">
          {info ? (
            <>
              <span className="kw-label">Build</span>{' '}
              <span className="kw-words-strong">{spokenOf(info.buildHashWords)}</span>{' '}
              <details className="kw-build-details">
                <summary>32 words, hex</summary>
                <p className="kw-words">{info.buildHashWords.join(' ')}</p>
                <p className="kw-hex">{info.buildHashHex}</p>
                <p>
                  Version {info.version}, {info.flavour} build, {info.buildFileCount} files.
                </p>
              </details>
            </>
          ) : (
            <span className={infoError ? 'kw-bad' : undefined}>
              {infoError ? `Build hash unavailable: ${infoError}` : 'Reading build hash…'}
            </span>
          )}
        </div>
        {mode && (
          <span className={`kw-mode kw-mode-${mode}`} data-testid="session-mode">
            {mode === 'rehearsal' ? 'REHEARSAL' : 'PRODUCTION'}
          </span>
        )}
        <button type="button" className="kw-projector" aria-pressed={projector} onClick={() => onProjector(!projector)}>
          Projector mode {projector ? 'on' : 'off'}
        </button>
      </div>
      <NetworkBanner network={network} error={networkError} />
    </header>
  );
}
