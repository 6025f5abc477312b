import type { Bridge } from '../state/bridge';
import { useConnectionTrouble } from './connection-trouble';
import { AdvancedSection } from './settings/AdvancedSection';
import { SetByEnvironment } from './settings/Field';
import { PlaybackSection } from './settings/PlaybackSection';
import { PronunciationSection } from './settings/PronunciationSection';
import { Card, Section } from './settings/Section';
import { useSectionInView } from './settings/section-in-view';
import { SectionNav } from './settings/SectionNav';
import { SECTIONS } from './settings/sections';
import { ServiceCard } from './settings/ServiceCard';
import { ShortcutsSection } from './settings/ShortcutsSection';
import { Updates } from './settings/Updates';
import { useSettings } from './settings/use-settings';
import { VoiceCard } from './settings/VoiceCard';
import './settings/settings.css';

const SECTION_IDS = SECTIONS.map((s) => s.id);

/**
 * The settings window: a sidebar of sections beside one scrolling column of them. Every
 * change is sent at once, validated by the one schema in the main process (or `utter
 * web`), and a refused value is shown next to its field with the accepted range. The API
 * key is write-only: the page only learns whether one is set.
 */
export function SettingsView({ bridge }: { bridge: Bridge }) {
  const { settings, loadError, issues, saved, change, changeNumber, keyRevision } = useSettings(bridge);
  // Without a connection, changes here go nowhere: the page says so before anything else.
  const trouble = useConnectionTrouble(bridge);
  if (!settings) return <main className="settings settings-loading">{trouble || loadError || 'Loading…'}</main>;
  const section = { settings, issues, change, changeNumber };

  return (
    <SetByEnvironment.Provider value={settings.fromEnvironment ?? {}}>
      <div className="settings-window">
        <SettingsNav />
        <main className="settings">
          <header className="settings-title">
            <h1>Settings</h1>
            <p className="notice" role="status" data-testid="settings-saved">
              {saved}
            </p>
            {trouble && (
              <p role="alert" className="error" data-testid="connection-trouble">
                {trouble}
              </p>
            )}
          </header>
          <Section id="settings-voice">
            <ServiceCard {...section} bridge={bridge} keyRevision={keyRevision} />
            <VoiceCard {...section} bridge={bridge} />
          </Section>
          <PlaybackSection {...section} />
          <ShortcutsSection {...section} />
          <PronunciationSection bridge={bridge} />
          <AdvancedSection {...section} bridge={bridge} />
          <Section id="settings-about">
            <Card>
              <Updates bridge={bridge} automatic={settings.checkForUpdates} setAutomatic={(on) => void change({ checkForUpdates: on })} />
            </Card>
          </Section>
        </main>
      </div>
    </SetByEnvironment.Provider>
  );
}

/** The sidebar, marking the section in view (its own component: scrolling re-renders only it). */
function SettingsNav() {
  const { current, jumpTo } = useSectionInView(SECTION_IDS);
  return <SectionNav current={current} jumpTo={jumpTo} />;
}
