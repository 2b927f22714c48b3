/** Each release layout: recognised by its first line, and read into concepts. */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { TermConcept } from '../../../store/terminology.ts';
import type { CodeSystemKey } from '../code-systems.ts';
import { formatOf } from './index.ts';

async function read(system: CodeSystemKey, text: string): Promise<{ format: string; concepts: TermConcept[] }> {
  const format = formatOf(system, text.replace(/^\ufeff/, '').split(/\r?\n/)[0]);
  if (format === undefined) throw new Error(`no ${system} format for ${text.slice(0, 40)}`);
  const concepts: TermConcept[] = [];
  for await (const c of format.read(() => Readable.from([text]))) concepts.push(c);
  return { format: format.name, concepts };
}

describe('release formats', () => {
  it('ICD-10-CM: the subset, CDC order file (headers and billable codes) and codes file', async () => {
    expect((await read('icd-10-cm', 'code\tdisplay\nE11.9\tType 2 diabetes mellitus without complications\n')).concepts).toEqual([
      { system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'E11.9', display: 'Type 2 diabetes mellitus without complications', kind: 'billable' },
    ]);
    const order = [
      '04313 E11     0 Type 2 diabetes mellitus                                     Type 2 diabetes mellitus',
      '04365 E119    1 Type 2 diabetes mellitus without complications               Type 2 diabetes mellitus without complications',
      '04366 E1121   1 Type 2 diabetes w diabetic nephropathy                       Type 2 diabetes mellitus with diabetic nephropathy',
    ].join('\r\n');
    const { format, concepts } = await read('icd-10-cm', order);
    expect(format).toMatch(/order file/);
    expect(concepts.map((c) => [c.code, c.kind, c.display, c.designations])).toEqual([
      ['E11', 'header', 'Type 2 diabetes mellitus', undefined],
      ['E11.9', 'billable', 'Type 2 diabetes mellitus without complications', undefined],
      ['E11.21', 'billable', 'Type 2 diabetes mellitus with diabetic nephropathy', ['Type 2 diabetes w diabetic nephropathy']],
    ]);
    expect((await read('icd-10-cm', 'A000    Cholera due to Vibrio cholerae 01, biovar cholerae\nE119    Type 2 diabetes mellitus without complications\n')).concepts.map((c) => c.code)).toEqual(['A00.0', 'E11.9']);
  });

  it('SNOMED CT: the GPS subset and an RF2 description file (FSN tag as kind, active synonyms)', async () => {
    const rf2 = [
      'id\teffectiveTime\tactive\tmoduleId\tconceptId\tlanguageCode\ttypeId\tterm\tcaseSignificanceId',
      '1\t20200731\t1\t900000000000207008\t44054006\ten\t900000000000013009\tType 2 diabetes mellitus\t900000000000448009',
      '2\t20200731\t1\t900000000000207008\t44054006\ten\t900000000000003001\tDiabetes mellitus type 2 (disorder)\t900000000000448009',
      '3\t20200731\t0\t900000000000207008\t44054006\ten\t900000000000013009\tNIDDM - old\t900000000000448009',
      '4\t20200731\t1\t900000000000207008\t44054006\ten\t900000000000013009\tDiabetes mellitus type 2\t900000000000448009',
    ].join('\n');
    expect((await read('snomed', rf2)).concepts).toEqual([
      { system: 'http://snomed.info/sct', code: '44054006', display: 'Diabetes mellitus type 2', kind: 'disorder', designations: ['Type 2 diabetes mellitus'], properties: { semanticTag: 'disorder' } },
    ]);
    expect((await read('snomed', 'code\tterm\tsemantic_tag\n256349002\tPeanut\tsubstance\n')).concepts[0]).toMatchObject({ code: '256349002', kind: 'substance' });
  });

  it('RxNorm: the subset and RXNCONSO.RRF (RxNorm names only, the most specific type as display)', async () => {
    const rrf = [
      '860975|ENG||L1|PF|S1|Y|A1|||860975|RXNORM|SY|860975|metformin HCl 500 MG 24HR ER Tab|0|N|4096|',
      '860975|ENG||L2|PF|S2|Y|A2|||860975|RXNORM|SCD|860975|24 HR metformin hydrochloride 500 MG Extended Release Oral Tablet|0|N|4096|',
      '860975|ENG||L3|PF|S3|Y|A3|||860975|MTHSPL|DP|x|METFORMIN|0|N||',
      '860975|ENG||L4|PF|S4|Y|A4|||860975|RXNORM|PSN|860975|old name|0|O||',
      '6809|ENG||L5|PF|S5|Y|A5|||6809|RXNORM|IN|6809|metformin|0|N|4096|',
    ].join('\n');
    expect((await read('rxnorm', rrf)).concepts).toEqual([
      { system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '860975', display: '24 HR metformin hydrochloride 500 MG Extended Release Oral Tablet', kind: 'SCD', designations: ['metformin HCl 500 MG 24HR ER Tab'], properties: { tty: 'SCD' } },
      { system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '6809', display: 'metformin', kind: 'IN', designations: [], properties: { tty: 'IN' } },
    ]);
    expect((await read('rxnorm', 'rxcui\tname\ttty\n123\tsomething Oral Product\tSCDF/other\n')).concepts[0]).toMatchObject({ kind: 'SCDF' });
  });

  it('CVX: the subset and CDC cvx.txt', async () => {
    const txt = '08 |Hep B, adolescent or pediatric|hepatitis B vaccine, pediatric or pediatric/adolescent dosage|note|Active|8|False|2012/05/28\n';
    expect((await read('cvx', txt)).concepts).toEqual([
      { system: 'http://hl7.org/fhir/sid/cvx', code: '08', display: 'Hep B, adolescent or pediatric', kind: 'vaccine', designations: ['hepatitis B vaccine, pediatric or pediatric/adolescent dosage'], properties: { status: 'Active' } },
    ]);
    expect((await read('cvx', 'cvx\tshort_description\tcdsi_antigens\tcdsi_vaccine_groups\n03\tMMR\tMeasles;Mumps;Rubella\tMMR\n')).concepts[0]).toMatchObject({ code: '03', properties: { antigens: 'Measles;Mumps;Rubella', vaccineGroups: 'MMR' } });
  });

  it('LOINC: the subset (parts and answers are kinds of their own) and Loinc.csv (quoted, deprecated terms inactive)', async () => {
    expect((await read('loinc', 'code\tdisplay\n8480-6\tSystolic blood pressure\nLP1-2\tA part\n11506-3\t\n')).concepts.map((c) => [c.code, c.kind])).toEqual([
      ['8480-6', 'observation'],
      ['LP1-2', 'part'],
    ]);
    const csv = [
      '\ufeff"LOINC_NUM","COMPONENT","CLASS","CLASSTYPE","LONG_COMMON_NAME","SHORTNAME","STATUS"',
      '"8480-6","Intravascular systolic","BP.ATOM","2","Systolic blood pressure","BP sys","ACTIVE"',
      '"1234-5","Old, ""quoted""\nthing","CHEM","1","Old thing","Old","DEPRECATED"',
    ].join('\r\n');
    const { concepts } = await read('loinc', csv);
    expect(concepts).toEqual([
      { system: 'http://loinc.org', code: '8480-6', display: 'Systolic blood pressure', kind: 'observation', inactive: false, designations: ['BP sys', 'Intravascular systolic'], properties: { class: 'BP.ATOM', classType: '2', status: 'ACTIVE' } },
      { system: 'http://loinc.org', code: '1234-5', display: 'Old thing', kind: 'observation', inactive: true, designations: ['Old', 'Old, "quoted"\nthing'], properties: { class: 'CHEM', classType: '1', status: 'DEPRECATED' } },
    ]);
  });

  it('recognises no layout in a file of another system', () => {
    expect(formatOf('snomed', 'cvx\tshort_description')).toBeUndefined();
    expect(formatOf('loinc', 'rxcui\tname\ttty')).toBeUndefined();
  });
});
