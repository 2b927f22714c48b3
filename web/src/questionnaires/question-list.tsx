import { Label, Radio, RadioGroup } from 'react-aria-components';
import { TextField } from '../design/index.ts';
import type { FormQuestion } from './forms.ts';
import type { Answers, ScreeningQuestion } from './screening.ts';
import './question-list.css';

export interface QuestionListProps {
  /** Screening questions are choices; form questions say their kind. */
  questions: readonly (ScreeningQuestion | FormQuestion)[];
  answers: Answers;
  onAnswer: (linkId: string, value: string) => void;
  /** linkIds to mark as needing an answer. */
  missing?: ReadonlySet<string>;
  /**
   * `compact`: a question and its answers on one line (the chart, a wide screen); `touch`: the
   * answers stacked under the question as large targets (the portal, a phone).
   */
  layout?: 'compact' | 'touch';
}

/**
 * The questions of a Questionnaire, answered: a choice is a radio group (arrow keys move between
 * answers), free text a labelled text field. The one renderer of questionnaire items, used by
 * the chart's screening screen and the portal's forms.
 */
export function QuestionList({ questions, answers, onAnswer, missing, layout = 'compact' }: QuestionListProps) {
  return (
    <ol className="question-list" data-layout={layout}>
      {questions.map((q) => {
        const invalid = missing?.has(q.linkId) === true && !answers[q.linkId]?.trim();
        const kind = 'kind' in q ? q.kind : 'choice';
        const optional = 'required' in q && !q.required;
        return (
          <li key={q.linkId} className="question" data-missing={invalid ? true : undefined}>
            {kind === 'choice' ? (
              <RadioGroup className="question-radios" orientation={layout === 'touch' ? 'vertical' : 'horizontal'} value={answers[q.linkId] ?? null} onChange={(code) => onAnswer(q.linkId, code)} isInvalid={invalid}>
                <Label className="question-text">
                  <span className="question-number">{q.number}.</span> {q.text}
                  {optional && <span className="question-optional"> (optional)</span>}
                </Label>
                <div className="question-options">
                  {q.options.map((o) => (
                    <Radio key={o.code} value={o.code!} className="question-option">
                      {o.display ?? o.code}
                    </Radio>
                  ))}
                </div>
              </RadioGroup>
            ) : (
              <TextField
                label={`${q.number}. ${q.text}${optional ? ' (optional)' : ''}`}
                value={answers[q.linkId] ?? ''}
                onChange={(value) => onAnswer(q.linkId, value)}
                multiline={kind === 'text'}
                isInvalid={invalid}
                errorMessage="Please answer this question."
              />
            )}
          </li>
        );
      })}
    </ol>
  );
}
